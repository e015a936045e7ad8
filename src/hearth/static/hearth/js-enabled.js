// Loaded as a classic script at the very start of <body>, in place of GOV.UK's usual
// inline snippet (Hearth's Content-Security-Policy forbids inline scripts).
document.body.className +=
  " js-enabled" +
  ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
