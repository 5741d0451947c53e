// Tells the server this browser runs scripts, so heavy panels may come after the
// page with a progress indicator (web/lazy.py); without it they are drawn inline.
document.cookie = "puente_js=1; path=/; SameSite=Lax";
