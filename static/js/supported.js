// GOV.UK Frontend styles its JavaScript-enhanced components only when this class is present.
// It lives in a file, not inline, because the Content-Security-Policy forbids inline script.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
