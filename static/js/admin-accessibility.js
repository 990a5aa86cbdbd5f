// Names and roles that the admin's script-made widgets lack (axe-core, WCAG 2.1 AA): the
// translation tabs and language switch (django-modeltranslation, jQuery UI), the autocomplete
// boxes (select2) and the filter boxes' icons (Django's SelectFilter2). Each widget is made by
// its own script when the page is ready, and again when a row is added or a choice made, so
// this runs once everything has loaded and again on every change to the page.
(function () {
  "use strict";
  var switchLabel = document.currentScript.dataset.languageSwitch;

  function labelIdFor(element) {
    var label = element.id && document.querySelector('label[for="' + element.id + '"]');
    if (!label) {
      return null;
    }
    if (!label.id) {
      label.id = element.id + "-label";
    }
    return label.id;
  }

  function fix(root) {
    // A tab is its <li role="tab">; the link inside it, kept focusable by its href, made a
    // second control within the first. The href served only to find the panel, when the tabs
    // were made (the tab's aria-controls names it since).
    root.querySelectorAll(".ui-tabs-nav li[role=tab] > a[href]").forEach(function (link) {
      link.removeAttribute("href");
    });
    var languageSwitch = document.getElementById("modeltranslation-main-switch");
    if (languageSwitch && switchLabel) {
      languageSwitch.setAttribute("aria-label", switchLabel);
    }
    // An autocomplete box is named by the label of the <select> it stands in for.
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var labelId = labelIdFor(select);
      var box = select.nextElementSibling;
      if (!labelId || !box || !box.classList.contains("select2")) {
        return;
      }
      box.querySelectorAll("[role=combobox], [role=textbox], .select2-search__field")
        .forEach(function (control) {
          var shown = control.querySelector(".select2-selection__rendered[id]");
          control.setAttribute("aria-labelledby", shown ? labelId + " " + shown.id : labelId);
        });
    });
    // A list holds only its items: select2 puts the "clear all" cross inside the list of
    // choices made; it works as well beside it (its handler listens on the whole box).
    root.querySelectorAll("ul.select2-selection__rendered > .select2-selection__clear")
      .forEach(function (clear) {
        clear.parentNode.parentNode.insertBefore(clear, clear.parentNode);
      });
    // Icons with a name (aria-label) need a role that may have one.
    root.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  // jQuery UI asks a tab's link whether its panel is on this page (by its href) each time the
  // tab is chosen, and fetches the panel otherwise: a link whose href was taken (above) has
  // its panel on the page, named by the tab's aria-controls.
  if (window.jQuery && jQuery.ui && jQuery.ui.tabs) {
    var isLocal = jQuery.ui.tabs.prototype._isLocal;
    jQuery.ui.tabs.prototype._isLocal = function (anchor) {
      return !anchor.hasAttribute("href") || isLocal.call(this, anchor);
    };
  }

  window.addEventListener("load", function () {
    fix(document);
    new MutationObserver(function () {
      fix(document);
    }).observe(document.body, { childList: true, subtree: true });
  });
})();
