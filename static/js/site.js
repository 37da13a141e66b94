/* Spoor 2 Academy's only script, and every page works without it. It folds the menu away on a phone and shows a
   form's fields only when the choice they belong to is made (data-shown-when="<radio name>",
   data-shown-values="<values>"). */
document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  const header = document.querySelector(".site-header");
  const toggle = header && header.querySelector(".menu-toggle");
  if (toggle) {
    toggle.addEventListener("click", () => {
      const open = header.classList.toggle("menu-open");
      toggle.setAttribute("aria-expanded", String(open));
    });
  }

  document.querySelectorAll("[data-shown-when]").forEach((part) => {
    const form = part.closest("form");
    const name = part.dataset.shownWhen;
    const values = part.dataset.shownValues.split(" ");
    const radios = form ? form.querySelectorAll(`input[name="${name}"]`) : [];
    if (!radios.length) return;
    const update = () => {
      const chosen = form.querySelector(`input[name="${name}"]:checked`);
      part.hidden = !(chosen && values.includes(chosen.value));
    };
    radios.forEach((radio) => radio.addEventListener("change", update));
    update();
  });
});
