"""The two pages an account e-mail links to: confirming the address and
choosing a new password.  Plain, accessible, in the account's four languages;
they work without JavaScript and need no session (the token is the proof)."""
from html import escape

from werkzeug.wrappers import Response

from samskab.errors import DomainError

from .accounts import confirmation, reset

TEXT = {
    "en": {"confirmed": "Your e-mail address is confirmed. You can now propose, support and register.",
           "invalid": "This link is no longer valid. Ask for a new one from your account page.",
           "choose": "Choose a new password", "password": "New password (at least 10 characters)",
           "save": "Save password", "saved": "Your password is changed. Sign in with the new one.",
           "title": "Samskab account"},
    "da": {"confirmed": "Din e-mailadresse er bekræftet. Nu kan du stille forslag, støtte og tilmelde dig.",
           "invalid": "Linket er ikke længere gyldigt. Bed om et nyt fra din kontoside.",
           "choose": "Vælg en ny adgangskode", "password": "Ny adgangskode (mindst 10 tegn)",
           "save": "Gem adgangskode", "saved": "Din adgangskode er ændret. Log ind med den nye.",
           "title": "Samskab-konto"},
    "nb": {"confirmed": "E-postadressen din er bekreftet. Nå kan du foreslå, støtte og melde deg på.",
           "invalid": "Lenken er ikke lenger gyldig. Be om en ny fra kontosiden din.",
           "choose": "Velg et nytt passord", "password": "Nytt passord (minst 10 tegn)",
           "save": "Lagre passord", "saved": "Passordet ditt er endret. Logg inn med det nye.",
           "title": "Samskab-konto"},
    "nn": {"confirmed": "E-postadressa di er stadfesta. No kan du føreslå, støtte og melde deg på.",
           "invalid": "Lenkja er ikkje lenger gyldig. Be om ei ny frå kontosida di.",
           "choose": "Vel eit nytt passord", "password": "Nytt passord (minst 10 teikn)",
           "save": "Lagre passord", "saved": "Passordet ditt er endra. Logg inn med det nye.",
           "title": "Samskab-konto"},
}


def _language(request):
    chosen = request.args.get("lang") or request.cookies.get("samskab_lang")
    if chosen in TEXT:
        return chosen
    for lang in request.accept_languages.values():
        code = lang.split("-")[0].lower()
        if code == "no":
            code = "nb"
        if code in TEXT:
            return code
    return "en"


def _page(lang, body, status=200):
    t = TEXT[lang]
    html = (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(t['title'])}</title></head><body><main><h1>{escape(t['title'])}</h1>{body}"
            '<p><a href="/">Samskab</a></p></main></body></html>')
    return Response(html, status=status, content_type="text/html; charset=utf-8", headers={
        "Content-Security-Policy": "default-src 'self'; form-action 'self'; frame-ancestors 'none'",
        "Referrer-Policy": "no-referrer",  # the token is in the URL: do not leak it onward
        "Cache-Control": "no-store",
    })


def dispatch(gateway, request, ctx):
    lang = _language(request)
    t = TEXT[lang]
    token = request.values.get("token", "")
    if request.path == "/account/confirm":
        try:
            confirmation.confirm(ctx, token)
        except DomainError:
            return _page(lang, f"<p>{escape(t['invalid'])}</p>", 400), "/account/confirm"
        return _page(lang, f"<p role=\"status\">{escape(t['confirmed'])}</p>"), "/account/confirm"
    # /account/reset
    if request.method == "POST":
        password = request.form.get("password", "")
        if 10 <= len(password) <= 200:
            try:
                reset.choose_password(ctx, token, password)
            except DomainError:
                return _page(lang, f"<p>{escape(t['invalid'])}</p>", 400), "/account/reset"
            return _page(lang, f"<p role=\"status\">{escape(t['saved'])}</p>"), "/account/reset"
    form = (f'<h2>{escape(t["choose"])}</h2><form method="post" action="/account/reset">'
            f'<input type="hidden" name="token" value="{escape(token)}">'
            f'<p><label for="password">{escape(t["password"])}</label><br>'
            '<input id="password" name="password" type="password" minlength="10" maxlength="200" required '
            'autocomplete="new-password"></p>'
            f'<p><button type="submit">{escape(t["save"])}</button></p></form>')
    return _page(lang, form), "/account/reset"
