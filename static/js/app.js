// Progressive enhancement only: every page works without this script.
(function () {
  "use strict";

  // Accent- and case-insensitive text, as the server folds it for search.
  function fold(text) {
    return text
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, " ")
      .trim();
  }

  document.addEventListener("DOMContentLoaded", function () {
    // Move focus to the error summary so that screen-reader and keyboard users land on it.
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }

    // Links of the error summary put the cursor into the field, not just scroll to it.
    document.querySelectorAll(".error-summary a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (target) {
          event.preventDefault();
          target.focus();
          target.scrollIntoView({ block: "center" });
        }
      });
    });

    // Forms with data-autosave keep each answer as soon as it is given (the bilan at the
    // person's home): a lost connection or a closed tablet loses nothing already answered.
    document.querySelectorAll("form[data-autosave]").forEach(function (form) {
      var status = form.querySelector(".autosave-status");
      var timer = null;
      function save() {
        var body = new URLSearchParams(new FormData(form));
        body.set("action", "autosave");
        // getAttribute: the submit buttons are named "action", which shadows form.action.
        fetch(form.getAttribute("action"), {
          method: "POST",
          body: body,
          credentials: "same-origin",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
        })
          .then(function (response) {
            if (!status) return;
            if (response.status === 204) {
              var now = new Date();
              status.textContent =
                "Réponses enregistrées à " + now.getHours() + " h " + String(now.getMinutes()).padStart(2, "0") + ".";
            } else {
              return response.text().then(function (text) {
                status.textContent = "Pas encore enregistré : " + text;
              });
            }
          })
          .catch(function () {
            if (status) status.textContent = "Hors connexion : les réponses seront enregistrées avec le bouton.";
          });
      }
      form.addEventListener("change", function () {
        clearTimeout(timer);
        timer = setTimeout(save, 400);
      });
    });

    // Forms with data-confirm ask before an action that cannot be undone lightly.
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) {
          event.preventDefault();
        }
      });
    });
    document.querySelectorAll("button[data-confirm-button]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        if (!window.confirm(button.getAttribute("data-confirm-button"))) {
          event.preventDefault();
        }
      });
    });

    // Print buttons (day sheets).
    document.querySelectorAll("button[data-print]").forEach(function (button) {
      button.addEventListener("click", function () {
        window.print();
      });
    });

    // The procedure list: a search box that hides non-matching procedures (checked ones stay).
    var search = document.querySelector("[data-procedure-search]");
    if (search) {
      var input = search.querySelector("input");
      var status = search.querySelector("[role=status]");
      var items = Array.prototype.slice.call(document.querySelectorAll(".procedures .choice[data-search]"));
      var groups = Array.prototype.slice.call(document.querySelectorAll("[data-procedure-group]"));
      search.hidden = false;
      input.addEventListener("input", function () {
        var words = fold(input.value).split(" ").filter(Boolean);
        var shown = 0;
        items.forEach(function (item) {
          var text = item.getAttribute("data-search");
          var checked = item.querySelector("input").checked;
          var match = checked || words.every(function (w) { return text.indexOf(w) !== -1; });
          item.hidden = !match;
          if (match) {
            shown += 1;
          }
        });
        groups.forEach(function (group) {
          group.hidden = !group.querySelector(".choice:not([hidden])");
        });
        status.textContent = words.length ? shown + " démarche(s) affichée(s)" : "";
      });
    }
  });
})();
