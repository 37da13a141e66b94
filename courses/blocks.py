"""StreamField blocks trainers compose course and module pages from."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Heading"), max_length=120)
    level = blocks.ChoiceBlock(
        label=_("Level"), choices=[("h2", _("Section")), ("h3", _("Subsection"))], default="h2"
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "courses/blocks/heading_block.html"
        preview_value = {"text": "Wat je leert", "level": "h2"}
        description = _("A section heading; it also appears in screen readers' outline of the page.")


class FigureBlock(blocks.StructBlock):
    image = ImageBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=250)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "courses/blocks/figure_block.html"
        description = _("An image with alternative text and an optional caption.")


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(label=_("Video URL"), help_text=_("A YouTube or Vimeo address."))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=250)

    class Meta:
        icon = "media"
        label = _("Video")
        template = "courses/blocks/video_block.html"
        description = _("An embedded video from YouTube or Vimeo.")


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Attribution"), required=False, max_length=150)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "courses/blocks/quote_block.html"
        preview_value = {
            "quote": "Een veilige basis geeft iemand de moed om het onbekende te verkennen.",
            "attribution": "George Kohlrieser",
        }
        description = _("A quotation with its source.")


class ReflectionQuestionBlock(blocks.StructBlock):
    question = blocks.TextBlock(label=_("Question"))
    guidance = blocks.RichTextBlock(
        label=_("Guidance"), required=False, features=["bold", "italic", "ul", "ol", "link"]
    )

    class Meta:
        icon = "help"
        label = _("Reflection question")
        template = "courses/blocks/reflection_question_block.html"
        preview_value = {
            "question": "Welk afscheid in je eigen loopbaan heeft je het meest geleerd?",
            "guidance": "<p>Neem vijf minuten. Schrijf op wat je toen nodig had.</p>",
        }
        description = _("A question for the participant to reflect on, with optional guidance.")


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    description = blocks.CharBlock(label=_("Description"), required=False, max_length=250)

    class Meta:
        icon = "doc-full"
        label = _("Download")
        template = "courses/blocks/document_block.html"
        description = _("A downloadable document such as a workbook or a hand-out.")


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(
        label=_("Kind"),
        choices=[("info", _("Information")), ("tip", _("Tip")), ("warning", _("Take note"))],
        default="info",
    )
    title = blocks.CharBlock(label=_("Title"), required=False, max_length=120)
    text = blocks.RichTextBlock(label=_("Text"), features=["bold", "italic", "ul", "ol", "link"])

    class Meta:
        icon = "warning"
        label = _("Call-out")
        template = "courses/blocks/callout_block.html"
        preview_value = {
            "tone": "tip",
            "title": "Tip voor de praktijk",
            "text": "<p>Vraag in het eerste gesprek naar wat iemand al heeft geprobeerd.</p>",
        }
        description = _("A highlighted box for a tip, information or a warning.")


# A time of day, or a span: 09:30, 9.30, 09:30–10:15.
PROGRAMME_TIME = RegexValidator(r"^([01]?\d|2[0-3])[:.][0-5]\d(\s*[–-]\s*([01]?\d|2[0-3])[:.][0-5]\d)?$",
                                _("Write a time such as 09:30, or a span such as 09:30–10:15."))


class ProgrammeItemBlock(blocks.StructBlock):
    time = blocks.CharBlock(label=_("Time"), required=False, max_length=30, validators=[PROGRAMME_TIME],
                            help_text=_("For example 09:30, or 09:30–10:15"))
    title = blocks.CharBlock(label=_("Title"), max_length=150)
    description = blocks.TextBlock(label=_("Description"), required=False)

    class Meta:
        icon = "time"
        label = _("Programme item")
        template = "courses/blocks/programme_item_block.html"
        preview_value = {
            "time": "09:30",
            "title": "Opening en kennismaking",
            "description": "Wat brengt jou naar het tweede spoor?",
        }


class ContentBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"),
        icon="pilcrow",
        features=["bold", "italic", "h3", "ol", "ul", "link", "document-link"],
        template="courses/blocks/paragraph_block.html",
        preview_value="<p>In deze module onderzoek je hoe hechting het werk van de coach kleurt.</p>",
        description=_("Running text with links and lists."),
    )
    image = FigureBlock()
    video = VideoBlock()
    quote = QuoteBlock()
    reflection = ReflectionQuestionBlock()
    document = DocumentBlock()
    callout = CalloutBlock()

    class Meta:
        block_counts = {}


class ProgrammeBlock(blocks.StreamBlock):
    item = ProgrammeItemBlock()
