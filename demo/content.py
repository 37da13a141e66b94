"""Demo catalogue in Dutch, written from the domain notes. Used by `manage.py seed_demo`."""

from decimal import Decimal

PROVIDER = {
    "name": "Spoor 2 Academy",
    "street_address": "Oudegracht 123",
    "postcode": "3511 AB",
    "city": "Utrecht",
    "email": "info@example.com",
    "phone": "030 123 45 67",
    "kvk_number": "12345678",
    "vat_number": "NL001234567B01",
    "iban": "NL91 ABNA 0417 1643 00",
    "crkbo_registered": True,
    "crkbo_number": "12345",
}

HOME = {
    "title": "Spoor 2 Academy",
    "hero_title": "Vakmanschap voor spoor 2-coaches",
    "hero_text": (
        "<p>Korte, intensieve trainingen in kleine groepen voor coaches die mensen begeleiden naar werk "
        "buiten de eigen werkgever. Met PE-punten en een certificaat dat registers erkennen.</p>"
    ),
    "body": [
        ("heading", {"text": "Waarom investeren in spoor 2?", "level": "h2"}),
        ("paragraph", (
            "<p>Uit een dossieronderzoek van het UWV bleek dat maar een klein deel van de spoor "
            "2-trajecten eindigt in werk bij een andere werkgever. Wij geloven dat een goed traject meer "
            "oplevert: terugkeer bij de eigen werkgever, detachering of een eigen bedrijf, meer regie, of "
            "een heldere IVA-uitkomst. Daarvoor is een coach nodig die het kader kent én een veilige basis "
            "biedt.</p>"
        )),
        ("callout", {
            "tone": "info",
            "title": "Maximaal 10 deelnemers",
            "text": "<p>Elke trainingsdag heeft ruimte voor hooguit tien deelnemers, zodat iedereen aan bod komt.</p>",
        }),
    ],
}

CATALOGUE = {
    "title": "Opleidingen",
    "slug": "opleidingen",
    "intro": (
        "<p>Alle trainingen zijn geaccrediteerd bij de relevante beroepsregisters. Je ontvangt na afloop "
        "een certificaat met je PE-punten.</p>"
    ),
}

COURSES = [
    {
        "title": "1-daagse basistraining 2e spoorcoaching",
        "slug": "basistraining-2e-spoorcoaching",
        "summary": (
            "In één dag de basis van 2e spoorcoaching: de Wet verbetering poortwachter, de eisen van het "
            "UWV en een coachende houding die mensen in beweging brengt."
        ),
        "delivery": "in_person",
        "target_group": (
            "<p>Loopbaan- en re-integratiecoaches, jobcoaches en arbeidsdeskundigen die (gaan) werken in "
            "het tweede spoor en hun basis willen verstevigen.</p>"
        ),
        "learning_goals": (
            "<ul><li>Je kent de Wet verbetering poortwachter en de rol van spoor 2 daarin.</li>"
            "<li>Je weet waar het UWV bij de re-integratieverslag-toets op let.</li>"
            "<li>Je voert een eerste gesprek dat vertrouwen en richting geeft.</li>"
            "<li>Je herkent meer uitkomsten dan alleen werk bij een andere werkgever.</li></ul>"
        ),
        "programme": [
            ("09:30", "Ontvangst en kennismaking", "Wat brengt jou naar het tweede spoor?"),
            ("10:00", "Het kader: poortwachter en UWV", "Tijdlijn, verantwoordelijkheden en de re-integratieverslag-toets."),
            ("11:30", "De eerste ontmoeting", "Weerstand, verlies en hoop in het intakegesprek; oefenen in drietallen."),
            ("12:30", "Lunch", ""),
            ("13:15", "Van belastbaarheid naar zoekrichting", "Werken met de FML en het arbeidsdeskundig rapport."),
            ("15:00", "Casuïstiek en intervisie", "Eigen casussen van deelnemers."),
            ("16:15", "Afsluiting en evaluatie", "Wat neem je mee naar maandag?"),
        ],
        "body": [
            ("paragraph", (
                "<p>Een dag waarin kennis en houding samenkomen. We werken met echte casuïstiek en "
                "oefenen in kleine groepen, zodat je de volgende dag direct verder kunt met je cliënten.</p>"
            )),
            ("quote", {
                "quote": "Het tweede spoor begint niet bij de vacaturebank, maar bij het gesprek over wat er verloren is.",
                "attribution": "Een deelnemer",
            }),
        ],
        "price_excl_vat": Decimal("495.00"),
        "vat_treatment": "exempt",
        "duration_days": 1,
        "net_hours": Decimal("6.0"),
        "default_capacity": 10,
        "certificate_validity_years": 4,
        "accreditations": [
            # register, PE points, accreditation id, PE-online course id
            ("noloc", Decimal("6"), "DEMO-NOLOC-2026-118", "220118"),
            ("registerplein", Decimal("6"), "DEMO-RP-204417", "118204"),
            ("nobco", Decimal("6"), "DEMO-NOBCO-PE-0931", ""),
        ],
        "modules": [
            {
                "title": "Voorbereiding: het kader van spoor 2",
                "slug": "voorbereiding",
                "summary": "Lees je in op de Wet verbetering poortwachter voordat je naar de trainingsdag komt.",
                "estimated_minutes": 45,
                "open_to_all": True,
                "quizzes": [{
                    "title": "Kennischeck: het kader van spoor 2",
                    "slug": "kennischeck",
                    "intro": "<p>Vijf minuten: weet je hoe spoor 2 in de Wet verbetering poortwachter past?</p>",
                    "pass_mark_percent": 75,
                    "max_attempts": 3,
                    "questions": [
                        ("single", {"question": "Wanneer moet de werkgever spoor 2 inzetten?", "points": 1, "choices": [
                            {"text": "Zodra duidelijk is dat terugkeer in het eigen werk niet lukt", "correct": True,
                             "feedback": "Juist: uiterlijk bij de eerstejaarsevaluatie."},
                            {"text": "Altijd in de eerste ziekteweek", "correct": False,
                             "feedback": "Nee, eerst wordt naar het eigen werk gekeken."},
                            {"text": "Pas na twee jaar ziekte", "correct": False,
                             "feedback": "Dan is het te laat: het UWV kan een loonsanctie opleggen."},
                        ]}),
                        ("multiple", {"question": "Wie zijn betrokken bij een spoor 2-traject?", "points": 1,
                                      "choices": [
                            {"text": "De werkgever", "correct": True, "feedback": ""},
                            {"text": "De werknemer", "correct": True, "feedback": ""},
                            {"text": "De arbeidsdeskundige of bedrijfsarts", "correct": True, "feedback": ""},
                            {"text": "De gemeente", "correct": False,
                             "feedback": "De gemeente speelt bij spoor 2 geen rol; dat doet de werkgever."},
                        ]}),
                        ("true_false", {"question": "Het UWV toetst de re-integratie-inspanningen bij de "
                                                    "WIA-aanvraag.", "points": 1, "true": True,
                                        "feedback_correct": "Klopt: met het re-integratieverslag.",
                                        "feedback_incorrect": "Het UWV toetst wel, bij de WIA-aanvraag."}),
                        ("true_false", {"question": "Spoor 2 betekent dat spoor 1 stopt.", "points": 1,
                                        "true": False,
                                        "feedback_correct": "Juist: beide sporen kunnen naast elkaar lopen.",
                                        "feedback_incorrect": "Beide sporen kunnen naast elkaar lopen."}),
                    ],
                }],
                "assignments": [{
                    "title": "Casusbeschrijving",
                    "slug": "casusbeschrijving",
                    "intro": "<p>Beschrijf in een halve pagina een (geanonimiseerde) casus uit je praktijk: "
                             "de situatie, wat er al gedaan is en je vraag.</p>",
                    "kind": "text",
                    "deadline_days_after_end": -1,
                }],
                "body": [
                    ("heading", {"text": "Twee sporen", "level": "h2"}),
                    ("paragraph", (
                        "<p>Een langdurig zieke werknemer wordt langs twee sporen begeleid. Het eerste spoor "
                        "is werk bij de eigen werkgever, het tweede spoor werk daarbuiten. De werkgever moet "
                        "het tweede spoor inzetten zodra duidelijk is dat terugkeer in het eigen werk niet "
                        "lukt.</p>"
                    )),
                    ("callout", {
                        "tone": "tip",
                        "title": "Neem mee naar de training",
                        "text": "<p>Een (geanonimiseerde) casus uit je eigen praktijk.</p>",
                    }),
                    ("reflection", {
                        "question": "Wanneer vond jij een spoor 2-traject geslaagd, ook al leidde het niet tot een nieuwe baan?",
                        "guidance": "<p>Schrijf kort op wat de uitkomst was en waarom die waardevol was.</p>",
                    }),
                ],
            },
            {
                "title": "Na de training: toepassen in je praktijk",
                "slug": "na-de-training",
                "summary": "Opdrachten om het geleerde in de weken na de training te verankeren.",
                "estimated_minutes": 60,
                "opens_days_from_start": 1,
                "body": [
                    ("paragraph", (
                        "<p>Kies twee lopende trajecten en pas in beide het gespreksmodel van de "
                        "trainingsdag toe. Noteer wat het verschil maakte.</p>"
                    )),
                    ("reflection", {
                        "question": "Welke vraag uit het gespreksmodel opende het meest bij je cliënt?",
                        "guidance": "",
                    }),
                ],
            },
        ],
    },
    {
        "title": "Secure Base coach training",
        "slug": "secure-base-coach",
        "summary": (
            "Word een veilige basis voor je cliënt. Vijf modules langs de transitiecirkel: hechting, "
            "intimiteit delen, afscheid nemen, rouw en betekenis geven."
        ),
        "delivery": "blended",
        "target_group": (
            "<p>Ervaren spoor 2-coaches die merken dat verlies en afscheid een traject kleuren en daar "
            "bewuster mee willen werken.</p>"
        ),
        "learning_goals": (
            "<ul><li>Je begrijpt hechting als basis voor verandering en durf.</li>"
            "<li>Je begeleidt afscheid van werk, collega's en een oud zelfbeeld.</li>"
            "<li>Je herkent rouw en geeft die ruimte zonder het traject stil te zetten.</li>"
            "<li>Je helpt je cliënt nieuwe betekenis te vinden als vertrekpunt voor werk.</li></ul>"
        ),
        "programme": [
            ("Dag 1", "Hechting", "De coach als veilige basis: zorgen én uitdagen."),
            ("Dag 2", "Intimiteit delen", "Echt contact maken, ook als het schuurt."),
            ("Dag 3", "Afscheid nemen", "Loslaten van werk, rol en identiteit."),
            ("Dag 4", "Rouw", "Verlies erkennen en doorleven."),
            ("Dag 5", "Betekenis geven", "Van verlies naar een nieuwe richting."),
        ],
        "body": [
            ("paragraph", (
                "<p>De transitiecirkel beschrijft hoe mensen zich hechten, verbinden, afscheid nemen, "
                "rouwen en opnieuw betekenis geven. Wie ziek uit het eigen werk valt, doorloopt die cirkel "
                "vaak onvrijwillig. Als coach ben je in die periode een veilige basis: iemand die zorgt en "
                "tegelijk uitdaagt.</p>"
            )),
        ],
        "price_excl_vat": Decimal("1450.00"),
        "vat_treatment": "exempt",
        "duration_days": 5,
        "net_hours": Decimal("30.0"),
        "default_capacity": 10,
        "certificate_validity_years": None,
        "accreditations": [
            ("nobco", Decimal("30"), "DEMO-NOBCO-PE-1207", ""),
            ("noloc", Decimal("30"), "DEMO-NOLOC-2026-231", "220231"),
        ],
        "modules": [
            {
                "title": "Hechting",
                "slug": "hechting",
                "summary": "Waarom een veilige basis mensen moed geeft om het onbekende te verkennen.",
                "estimated_minutes": 90,
                "body": [
                    ("paragraph", (
                        "<p>Mensen met een veilige basis durven meer. In deze module verken je je eigen "
                        "hechtingsgeschiedenis en wat die betekent voor hoe jij coacht.</p>"
                    )),
                    ("reflection", {
                        "question": "Wie was een veilige basis voor jou, en wat deed die persoon precies?",
                        "guidance": "",
                    }),
                ],
            },
            {
                "title": "Intimiteit delen",
                "slug": "intimiteit-delen",
                "summary": "Echt contact als voorwaarde voor verandering.",
                "estimated_minutes": 90,
                "body": [("paragraph", (
                    "<p>Zonder verbinding geen beweging. Je oefent met het benoemen van wat er in het "
                    "contact gebeurt, ook als dat ongemakkelijk is.</p>"
                ))],
            },
            {
                "title": "Afscheid nemen",
                "slug": "afscheid-nemen",
                "summary": "Loslaten van het oude werk, de collega's en een oud zelfbeeld.",
                "estimated_minutes": 90,
                "body": [("paragraph", (
                    "<p>Een spoor 2-traject vraagt afscheid van meer dan een functie. Je leert afscheid "
                    "bespreekbaar te maken zonder het te forceren.</p>"
                ))],
            },
            {
                "title": "Rouw",
                "slug": "rouw",
                "summary": "Verlies erkennen en de ruimte geven die het nodig heeft.",
                "estimated_minutes": 90,
                "body": [
                    ("paragraph", (
                        "<p>Rouw om werk wordt vaak niet herkend, ook niet door de cliënt zelf. Je leert de "
                        "signalen kennen en hoe je rouw ruimte geeft binnen de termijnen van een traject.</p>"
                    )),
                    ("callout", {
                        "tone": "warning",
                        "title": "Let op",
                        "text": "<p>Verwijs door wanneer rouw overgaat in klachten die om behandeling vragen.</p>",
                    }),
                ],
            },
            {
                "title": "Betekenis geven",
                "slug": "betekenis-geven",
                "summary": "Van verlies naar een nieuwe richting die klopt.",
                "estimated_minutes": 90,
                "body": [("paragraph", (
                    "<p>Als het verlies erkend is, ontstaat ruimte voor een nieuw verhaal. Je helpt je "
                    "cliënt zijn waarden en drijfveren te vertalen naar een richting voor werk.</p>"
                ))],
            },
        ],
    },
    {
        "title": "Groepsprogramma spoor 2 in drie fasen",
        "slug": "groepsprogramma-spoor-2",
        "summary": (
            "Een groepsprogramma voor werknemers in het tweede spoor: afscheid en leven met beperkingen, "
            "je roeping vinden, en zoeken naar werk met begeleiding. Voldoet aan de eisen van het UWV."
        ),
        "delivery": "blended",
        "target_group": (
            "<p>Werknemers in een spoor 2-traject, aangemeld door hun werkgever of re-integratiebedrijf. "
            "Het programma combineert groepsworkshops, intervisie en individuele coaching.</p>"
        ),
        "learning_goals": (
            "<ul><li>Afscheid nemen van het oude werk en leren leven met beperkingen.</li>"
            "<li>Je roeping vinden en vertalen naar een zoekprofiel voor de arbeidsmarkt.</li>"
            "<li>Gericht zoeken naar werk, met begeleiding tot en met de eerste werkdag.</li></ul>"
        ),
        "programme": [
            ("Fase 1", "Afscheid en leven met beperkingen", "Groepsworkshops en individuele coaching."),
            ("Fase 2", "Roeping en zoekprofiel", "Workshops, intervisie en een persoonlijk zoekprofiel."),
            ("Fase 3", "Zoeken met begeleiding", "Sollicitatietraining, netwerken en jobcoaching."),
        ],
        "body": [
            ("paragraph", (
                "<p>Het programma is opgezet volgens de eisen die het UWV aan een spoor 2-traject stelt: "
                "tijdige inzet, aantoonbare activiteiten en een gedocumenteerd verloop.</p>"
            )),
        ],
        "price_excl_vat": Decimal("2950.00"),
        "vat_treatment": "standard",
        "duration_days": 8,
        "net_hours": Decimal("40.0"),
        "default_capacity": 10,
        "coaching": {"coaching_sessions": 2, "coaching_minutes": 60, "coaching_change_hours": 24,
                     "completion_requires_coaching": True},
        "certificate_validity_years": None,
        "accreditations": [],
        "modules": [
            {
                "title": "Fase 1: Afscheid en leven met beperkingen",
                "slug": "fase-1-afscheid",
                "summary": "Erkennen wat er veranderd is en leren leven met beperkingen.",
                "estimated_minutes": 120,
                "body": [("paragraph", (
                    "<p>In de eerste fase staat stil wat verloren is. Deelnemers delen hun verhaal en "
                    "leren hun belastbaarheid kennen en accepteren.</p>"
                ))],
            },
            {
                "title": "Fase 2: Roeping en zoekprofiel",
                "slug": "fase-2-roeping",
                "summary": "Ontdekken wat je drijft en dat vertalen naar de arbeidsmarkt.",
                "estimated_minutes": 120,
                "body": [("paragraph", (
                    "<p>Met opdrachten, intervisie en coaching werken deelnemers aan een zoekprofiel dat "
                    "past bij hun waarden én hun mogelijkheden.</p>"
                ))],
            },
            {
                "title": "Fase 3: Zoeken met begeleiding",
                "slug": "fase-3-zoeken",
                "summary": "Gericht solliciteren en netwerken, met een coach naast je.",
                "estimated_minutes": 120,
                "body": [("paragraph", (
                    "<p>In de laatste fase gaan deelnemers actief op zoek, met begeleiding bij "
                    "sollicitaties, gesprekken en de start in nieuw werk.</p>"
                ))],
            },
        ],
    },
]

DEMO_PASSWORD = "demo-wachtwoord"  # noqa: S105 - documented demo password, only with the DEMO setting

DEMO_ACCOUNTS = [
    {"email": "admin@example.com", "full_name": "Anna de Beheerder", "role": "admin"},
    {"email": "trainer@example.com", "full_name": "Tom Trainer", "role": "trainer"},
    {
        "email": "coach@example.com", "full_name": "drs. C.M. (Carla) de Coach", "role": "coach",
        "organisation": "Re-integratie Midden BV", "registers": {"noloc": "NL-20931", "registerplein": "204417"},
    },
    {
        "email": "alumni@example.com", "full_name": "A.J. (Aisha) Alumna", "role": "alumni",
        "organisation": "Aisha Loopbaancoaching", "registers": {"nobco": "4821", "registerplein": "204518"},
    },
    {"email": "werkgever@example.com", "full_name": "Wendy Werkgever", "role": "contact",
     "organisation": "Re-integratiebureau De Brug"},
]

ORGANISATION = {
    "name": "Re-integratiebureau De Brug", "kvk_number": "87654321", "vat_id": "NL009876543B01",
    "street": "Brugstraat 12", "postcode": "3811 AB", "city": "Amersfoort", "invoice_email": "facturen@debrug.example",
    "default_reference": "PO-2027-014", "approval": "approved",
}
# Registered itself on the site: it waits for the office's approval before it may book on invoice.
ORGANISATION_TO_APPROVE = {
    "name": "Loopbaanpraktijk Horizon", "kvk_number": "76543210", "vat_id": "NL007654321B01",
    "street": "Horizonweg 3", "postcode": "9711 AA", "city": "Groningen", "invoice_email": "administratie@horizon.example",
}
ORGANISATION_TO_APPROVE_CONTACT = {"email": "horizon@example.com", "full_name": "Ilse Horizon"}

PRIVACY_STATEMENT = {
    "title": "Privacyverklaring",
    "slug": "privacy",
    "intro": "Hoe Spoor 2 Academy omgaat met je persoonsgegevens: wat we bewaren, waarom, hoe lang en wie ze ziet. "
             "(Demotekst: de aanbieder past hem aan op de eigen situatie.)",
    "sections": [
        ("Wie zijn wij", "<p>Spoor 2 Academy is verantwoordelijk voor de verwerking van je persoonsgegevens op deze "
         "site. Vragen? Mail naar het adres onderaan elke pagina.</p>"),
        ("Wat we verwerken en waarom", "<ul><li><b>Account en profiel</b> (naam, e-mail, telefoon, organisatie): om je "
         "in te schrijven, je te mailen over je opleiding en je naam op je certificaat te zetten. Grondslag: de "
         "overeenkomst.</li><li><b>Registernummers</b> (NOBCO, Noloc, Registerplein, SRA): om je PE-punten op je "
         "certificaat te zetten en je aanwezigheid aan het register te melden. Grondslag: de overeenkomst.</li>"
         "<li><b>Plaatsen, aanwezigheid, toetsen, opdrachten en evaluaties</b>: om de opleiding te geven en af te "
         "ronden. Registers vragen een schriftelijke evaluatie van elke geaccrediteerde opleiding.</li>"
         "<li><b>Betalingen en facturen</b>: om te factureren; de wet vraagt ons ze zeven jaar te bewaren.</li>"
         "<li><b>E-mails</b>: we bewaren van elke e-mail alleen aan wie, het onderwerp en de datum.</li></ul>"),
        ("Wie je gegevens ontvangt", "<ul><li><b>Stripe</b> verwerkt je online betaling (iDEAL, creditcard).</li>"
         "<li><b>De registers</b> (via PE-online) krijgen je registernummer en je aanwezigheid, om je PE-punten toe "
         "te kennen.</li><li><b>Je werkgever of re-integratiebedrijf</b> ziet je aanwezigheid, afronding en "
         "certificaten alleen als je daarvoor toestemming geeft (en je kunt die intrekken in je profiel). Boekte "
         "je organisatie je plaats, dan ontvangt zij de factuur.</li></ul>"),
        ("Hoe lang we bewaren", "<ul><li>Facturen en betalingen: zeven jaar (fiscale bewaarplicht).</li><li>Evaluaties: "
         "ten minste twee jaar (NOBCO), daarna zonder koppeling aan je plaats.</li><li>Bestanden bij ingeleverde opdrachten: twaalf "
         "maanden na de datum (je antwoord en beoordeling blijven).</li><li>Accounts die nooit zijn bevestigd: dertig dagen.</li><li>Een kopie van je "
         "gegevens: zeven dagen.</li><li>Je account en de rest: tot je het verwijdert.</li></ul>"),
        ("Je rechten", "<p>In <b>Mijn profiel</b> download je een kopie van alles wat we van je bewaren, en verwijder "
         "je je account. Wat de wet ons laat bewaren (facturen) blijft, al het andere verdwijnt. Liever per brief of "
         "e-mail? Dan handelen wij het binnen een maand af. Een klacht kun je indienen bij de Autoriteit "
         "Persoonsgegevens.</p>"),
    ],
}


TERMS = {
    "title": "Algemene voorwaarden",
    "slug": "algemene-voorwaarden",
    "intro": "De afspraken tussen jou (of je werkgever) en Spoor 2 Academy over opleidingen, betalen en annuleren. "
             "(Demotekst: de aanbieder past hem aan op de eigen situatie.)",
    "sections": [
        ("Inschrijven", "<p>Je inschrijving is definitief zodra je hebt betaald, of zodra we je inschrijving op "
         "factuur hebben bevestigd. Je krijgt een bevestiging per e-mail met de data in je agenda.</p>"),
        ("Betalen", "<p>Je betaalt online (iDEAL, creditcard, Bancontact) of, waar de opleiding dat toestaat, op "
         "factuur binnen 14 dagen. Opleidingen van een CRKBO-geregistreerde instelling zijn vrijgesteld van btw.</p>"),
        ("Annuleren en verplaatsen", "<p>Wat je terugkrijgt als je annuleert, staat bij elke opleiding onder "
         "'Annuleringsregeling'. Tot de opleiding begint, kun je je plaats kosteloos naar een andere datum van "
         "dezelfde opleiding verplaatsen, zolang daar plaats is.</p>"),
        ("Als een datum niet doorgaat", "<p>Gaat een datum niet door, dan kies je een andere datum of krijg je het "
         "hele bedrag terug.</p>"),
        ("Certificaat", "<p>Je krijgt een certificaat als je aan de afrondingseisen van de opleiding voldoet. Het "
         "certificaat is online te controleren.</p>"),
    ],
}

SIGNATORY = ("drs. M. (Marleen) de Boer", "Directeur en hoofdtrainer")
