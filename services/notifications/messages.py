"""What a notification says, in the participant's language (da, nb, nn, en),
as an inbox entry and as an e-mail (plain text and HTML, with one-click
unsubscribe per RFC 8058).  Pure: no I/O."""
import base64
import datetime as dt
import html
import uuid
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr
from zoneinfo import ZoneInfo

from samskab import secrets as keys

LANGUAGES = ("da", "nb", "nn", "en")

# template → language → (subject, [body lines]); a line naming a value the
# event lacks is left out, so one template serves events with more or less detail.
TEXTS = {
    "meeting_updated": {
        "da": ("Mødet „{title}“ er ændret", ["Mødet „{title}“, som du er tilmeldt, er ændret.", "Det holdes nu {when}.", "Sted: {place}"]),
        "nb": ("Møtet «{title}» er endret", ["Møtet «{title}», som du er påmeldt, er endret.", "Det holdes nå {when}.", "Sted: {place}"]),
        "nn": ("Møtet «{title}» er endra", ["Møtet «{title}», som du er påmeld, er endra.", "Det blir no halde {when}.", "Stad: {place}"]),
        "en": ("The meeting “{title}” has changed", ["The meeting “{title}” you registered for has changed.", "It now takes place {when}.", "Place: {place}"]),
    },
    "meeting_cancelled": {
        "da": ("Mødet „{title}“ er aflyst", ["Mødet „{title}“, som du er tilmeldt, er desværre aflyst.", "Det skulle have været holdt {when}.", "Sted: {place}", "Begrundelse: {reason}"]),
        "nb": ("Møtet «{title}» er avlyst", ["Møtet «{title}», som du er påmeldt, er dessverre avlyst.", "Det skulle vært holdt {when}.", "Sted: {place}", "Begrunnelse: {reason}"]),
        "nn": ("Møtet «{title}» er avlyst", ["Møtet «{title}», som du er påmeld, er dessverre avlyst.", "Det skulle ha vore halde {when}.", "Stad: {place}", "Grunngjeving: {reason}"]),
        "en": ("The meeting “{title}” is cancelled", ["The meeting “{title}” you registered for has been cancelled.", "It was to take place {when}.", "Place: {place}", "Reason: {reason}"]),
    },
    "registration_confirmed": {
        "da": ("Du er tilmeldt „{title}“", ["Din tilmelding til „{title}“ er bekræftet.", "Mødet holdes {when}.", "Sted: {place}"]),
        "nb": ("Du er påmeldt «{title}»", ["Påmeldingen din til «{title}» er bekreftet.", "Møtet holdes {when}.", "Sted: {place}"]),
        "nn": ("Du er påmeld «{title}»", ["Påmeldinga di til «{title}» er stadfesta.", "Møtet blir halde {when}.", "Stad: {place}"]),
        "en": ("You are registered for “{title}”", ["Your registration for “{title}” is confirmed.", "The meeting takes place {when}.", "Place: {place}"]),
    },
    "registration_waitlisted": {
        "da": ("Du er på venteliste til „{title}“", ["Mødet „{title}“ er fuldt; du står på ventelisten og får besked, hvis der bliver en plads.", "Mødet holdes {when}.", "Sted: {place}"]),
        "nb": ("Du står på venteliste til «{title}»", ["Møtet «{title}» er fullt; du står på ventelisten og får beskjed hvis det blir en plass.", "Møtet holdes {when}.", "Sted: {place}"]),
        "nn": ("Du står på venteliste til «{title}»", ["Møtet «{title}» er fullt; du står på ventelista og får melding om det blir ein plass.", "Møtet blir halde {when}.", "Stad: {place}"]),
        "en": ("You are on the waitlist for “{title}”", ["The meeting “{title}” is full; you are on the waitlist and will hear from us if a seat frees up.", "The meeting takes place {when}.", "Place: {place}"]),
    },
    "registration_promoted": {
        "da": ("Du har fået en plads til „{title}“", ["Der er blevet en plads til dig på „{title}“.", "Mødet holdes {when}.", "Sted: {place}"]),
        "nb": ("Du har fått plass på «{title}»", ["Det har blitt en plass til deg på «{title}».", "Møtet holdes {when}.", "Sted: {place}"]),
        "nn": ("Du har fått plass på «{title}»", ["Det har blitt ein plass til deg på «{title}».", "Møtet blir halde {when}.", "Stad: {place}"]),
        "en": ("You have a seat at “{title}”", ["A seat has become free for you at “{title}”.", "The meeting takes place {when}.", "Place: {place}"]),
    },
    "proposal_submitted": {
        "da": ("Nyt forslag: „{title}“", ["Et nyt forslag venter på behandling: „{title}“."]),
        "nb": ("Nytt forslag: «{title}»", ["Et nytt forslag venter på behandling: «{title}»."]),
        "nn": ("Nytt forslag: «{title}»", ["Eit nytt forslag ventar på handsaming: «{title}»."]),
        "en": ("New proposal: “{title}”", ["A new proposal is waiting to be looked at: “{title}”."]),
    },
    "proposal_published": {
        "da": ("„{title}“ er offentliggjort", ["Forslaget „{title}“ er nu offentligt, så alle kan se det og være med."]),
        "nb": ("«{title}» er publisert", ["Forslaget «{title}» er nå offentlig, så alle kan se det og bli med."]),
        "nn": ("«{title}» er publisert", ["Forslaget «{title}» er no offentleg, så alle kan sjå det og bli med."]),
        "en": ("“{title}” is published", ["The proposal “{title}” is now public for everyone to see and join."]),
    },
    "proposal_status_changed": {
        "da": ("Nyt om „{title}“", ["Forslaget „{title}“ har fået status: {status}.", "Begrundelse: {reason}"]),
        "nb": ("Nytt om «{title}»", ["Forslaget «{title}» har fått status: {status}.", "Begrunnelse: {reason}"]),
        "nn": ("Nytt om «{title}»", ["Forslaget «{title}» har fått status: {status}.", "Grunngjeving: {reason}"]),
        "en": ("News about “{title}”", ["The proposal “{title}” now has the status: {status}.", "Reason: {reason}"]),
    },
    "question_asked": {
        "da": ("Nyt spørgsmål til „{title}“", ["Der er stillet et nyt spørgsmål til forslaget „{title}“."]),
        "nb": ("Nytt spørsmål til «{title}»", ["Det er stilt et nytt spørsmål til forslaget «{title}»."]),
        "nn": ("Nytt spørsmål til «{title}»", ["Det er stilt eit nytt spørsmål til forslaget «{title}»."]),
        "en": ("A new question about “{title}”", ["Someone asked a new question about the proposal “{title}”."]),
    },
    "question_answered": {
        "da": ("Dit spørgsmål til „{title}“ er besvaret", ["Dit spørgsmål til „{title}“ har fået et svar."]),
        "nb": ("Spørsmålet ditt til «{title}» er besvart", ["Spørsmålet ditt til «{title}» har fått et svar."]),
        "nn": ("Spørsmålet ditt til «{title}» er svara på", ["Spørsmålet ditt til «{title}» har fått eit svar."]),
        "en": ("Your question about “{title}” has an answer", ["Your question about “{title}” has been answered."]),
    },
    "matches_suggested": {
        "da": ("Dine evner efterlyses: „{title}“", ["Forslaget „{title}“ har brug for netop det, du kan."]),
        "nb": ("Ferdighetene dine trengs: «{title}»", ["Forslaget «{title}» trenger akkurat det du kan."]),
        "nn": ("Dugleiken din trengst: «{title}»", ["Forslaget «{title}» treng nettopp det du kan."]),
        "en": ("Your skills are wanted: “{title}”", ["The proposal “{title}” needs just what you can do."]),
    },
    "comment_replied": {  # issue 21: the author of the comment replied to
        "da": ("Nyt svar på din kommentar til „{title}“", ["Nogen har svaret på din kommentar til forslaget „{title}“."]),
        "nb": ("Nytt svar på kommentaren din til «{title}»", ["Noen har svart på kommentaren din til forslaget «{title}»."]),
        "nn": ("Nytt svar på kommentaren din til «{title}»", ["Nokon har svara på kommentaren din til forslaget «{title}»."]),
        "en": ("A reply to your comment on “{title}”", ["Someone replied to your comment on the proposal “{title}”."]),
    },
    "answer_posted": {
        "da": ("Nyt svar om „{title}“", ["Et spørgsmål til forslaget „{title}“ har fået et svar."]),
        "nb": ("Nytt svar om «{title}»", ["Et spørsmål til forslaget «{title}» har fått et svar."]),
        "nn": ("Nytt svar om «{title}»", ["Eit spørsmål til forslaget «{title}» har fått eit svar."]),
        "en": ("A new answer about “{title}”", ["A question about the proposal “{title}” has been answered."]),
    },
    "progress_posted": {
        "da": ("Nyt fra „{title}“", ["Der er en ny opdatering om forslaget „{title}“."]),
        "nb": ("Nytt fra «{title}»", ["Det er en ny oppdatering om forslaget «{title}»."]),
        "nn": ("Nytt frå «{title}»", ["Det er ei ny oppdatering om forslaget «{title}»."]),
        "en": ("News from “{title}”", ["There is a new progress update on the proposal “{title}”."]),
    },
    "agreement_to_accept": {
        "da": ("Godkend aftalen om „{title}“", ["Der er en ny udgave (nr. {version}) af samarbejdsaftalen om „{title}“, og du er partner i den.", "Læs aftalen og godkend den via linket herunder."]),
        "nb": ("Godkjenn avtalen om «{title}»", ["Det er en ny versjon (nr. {version}) av samarbeidsavtalen om «{title}», og du er partner i den.", "Les avtalen og godkjenn den via lenken nedenfor."]),
        "nn": ("Godkjenn avtalen om «{title}»", ["Det er ein ny versjon (nr. {version}) av samarbeidsavtalen om «{title}», og du er partnar i han.", "Les avtalen og godkjenn han via lenkja nedanfor."]),
        "en": ("Please accept the agreement on “{title}”", ["There is a new version (no. {version}) of the collaboration agreement on “{title}”, and you are a partner in it.", "Read it and accept it through the link below."]),
    },
    "agreement_drafted": {
        "da": ("Ny udgave af aftalen om „{title}“", ["Der er en ny udgave (nr. {version}) af samarbejdsaftalen om forslaget „{title}“."]),
        "nb": ("Ny versjon av avtalen om «{title}»", ["Det er en ny versjon (nr. {version}) av samarbeidsavtalen om forslaget «{title}»."]),
        "nn": ("Ny versjon av avtalen om «{title}»", ["Det er ein ny versjon (nr. {version}) av samarbeidsavtalen om forslaget «{title}»."]),
        "en": ("A new version of the agreement on “{title}”", ["There is a new version (no. {version}) of the collaboration agreement on the proposal “{title}”."]),
    },
    "agreement_acceptance": {
        "da": ("Aftalen om „{title}“ er godkendt af en part", ["En part har godkendt udgave {version} af samarbejdsaftalen om „{title}“."]),
        "nb": ("Avtalen om «{title}» er godkjent av en part", ["En part har godkjent versjon {version} av samarbeidsavtalen om «{title}»."]),
        "nn": ("Avtalen om «{title}» er godkjend av ein part", ["Ein part har godkjent versjon {version} av samarbeidsavtalen om «{title}»."]),
        "en": ("A party accepted the agreement on “{title}”", ["A party accepted version {version} of the collaboration agreement on “{title}”."]),
    },
    "agreement_accepted": {
        "da": ("Aftalen om „{title}“ er på plads", ["Alle parter har godkendt udgave {version} af samarbejdsaftalen om „{title}“."]),
        "nb": ("Avtalen om «{title}» er på plass", ["Alle parter har godkjent versjon {version} av samarbeidsavtalen om «{title}»."]),
        "nn": ("Avtalen om «{title}» er på plass", ["Alle partane har godkjent versjon {version} av samarbeidsavtalen om «{title}»."]),
        "en": ("The agreement on “{title}” is in place", ["Every party accepted version {version} of the collaboration agreement on “{title}”."]),
    },
    "experiment_recorded": {
        "da": ("Forsøg i „{title}“", ["Der er nyt om et forsøg i forslaget „{title}“.", "Forsøget: {hypothesis}", "Resultat: {outcome}"]),
        "nb": ("Forsøk i «{title}»", ["Det er nytt om et forsøk i forslaget «{title}».", "Forsøket: {hypothesis}", "Resultat: {outcome}"]),
        "nn": ("Forsøk i «{title}»", ["Det er nytt om eit forsøk i forslaget «{title}».", "Forsøket: {hypothesis}", "Resultat: {outcome}"]),
        "en": ("An experiment in “{title}”", ["There is news of an experiment in the proposal “{title}”.", "The experiment: {hypothesis}", "Result: {outcome}"]),
    },
    "meeting_scheduled": {
        "da": ("Nyt møde: „{title}“", ["Der er planlagt et møde om et forslag, du er med i: „{title}“.", "Mødet holdes {when}.", "Sted: {place}"]),
        "nb": ("Nytt møte: «{title}»", ["Det er planlagt et møte om et forslag du er med i: «{title}».", "Møtet holdes {when}.", "Sted: {place}"]),
        "nn": ("Nytt møte: «{title}»", ["Det er planlagt eit møte om eit forslag du er med i: «{title}».", "Møtet blir halde {when}.", "Stad: {place}"]),
        "en": ("A new meeting: “{title}”", ["A meeting is planned about a proposal you take part in: “{title}”.", "It takes place {when}.", "Place: {place}"]),
    },
    "minutes_recorded": {
        "da": ("Referat fra „{title}“", ["Referatet fra mødet „{title}“ er klar.", "Mødet blev holdt {when}.", "Sted: {place}"]),
        "nb": ("Referat fra «{title}»", ["Referatet fra møtet «{title}» er klart.", "Møtet ble holdt {when}.", "Sted: {place}"]),
        "nn": ("Referat frå «{title}»", ["Referatet frå møtet «{title}» er klart.", "Møtet vart halde {when}.", "Stad: {place}"]),
        "en": ("Minutes of “{title}”", ["The minutes of the meeting “{title}” are ready.", "The meeting took place {when}.", "Place: {place}"]),
    },
    "outcome_recorded": {
        "da": ("Resultat fra et møde om „{title}“", ["Et møde om „{title}“ har givet et resultat:", "{text}"]),
        "nb": ("Resultat fra et møte om «{title}»", ["Et møte om «{title}» har gitt et resultat:", "{text}"]),
        "nn": ("Resultat frå eit møte om «{title}»", ["Eit møte om «{title}» har gjeve eit resultat:", "{text}"]),
        "en": ("An outcome of a meeting on “{title}”", ["A meeting on “{title}” came to an outcome:", "{text}"]),
    },
    "content_reported": {
        "da": ("Indhold anmeldt i „{title}“", ["Noget indhold i forslaget „{title}“ er anmeldt og venter på jeres vurdering."]),
        "nb": ("Innhold meldt i «{title}»", ["Noe innhold i forslaget «{title}» er meldt og venter på vurderingen deres."]),
        "nn": ("Innhald meldt i «{title}»", ["Noko innhald i forslaget «{title}» er meldt og ventar på vurderinga dykkar."]),
        "en": ("Content reported in “{title}”", ["Some content of the proposal “{title}” was reported and waits for your review."]),
    },
    "support_threshold_reached": {
        "da": ("„{title}“ har nået {threshold} støttere", ["Dit forslag „{title}“ har nu {support_count} støttere, nok til at kommunen tager det op."]),
        "nb": ("«{title}» har nådd {threshold} støttere", ["Forslaget ditt «{title}» har nå {support_count} støttere, nok til at kommunen tar det opp."]),
        "nn": ("«{title}» har nådd {threshold} støttarar", ["Forslaget ditt «{title}» har no {support_count} støttarar, nok til at kommunen tek det opp."]),
        "en": ("“{title}” has reached {threshold} supporters", ["Your proposal “{title}” now has {support_count} supporters, enough for the municipality to take it up."]),
    },
    # the council's answer (issue 22), one text per decision
    "decision_adopted": {
        "da": ("Byrådet har vedtaget „{title}“", ["Byrådet har behandlet „{title}“ og vedtaget det.", "Begrundelse: {reason}"]),
        "nb": ("Kommunestyret har vedtatt «{title}»", ["Kommunestyret har behandlet «{title}» og vedtatt det.", "Begrunnelse: {reason}"]),
        "nn": ("Kommunestyret har vedteke «{title}»", ["Kommunestyret har handsama «{title}» og vedteke det.", "Grunngjeving: {reason}"]),
        "en": ("The council adopted “{title}”", ["The council treated “{title}” and adopted it.", "Reasons: {reason}"]),
    },
    "decision_adopted_in_part": {
        "da": ("Byrådet har delvist vedtaget „{title}“", ["Byrådet har behandlet „{title}“ og vedtaget en del af det.", "Begrundelse: {reason}"]),
        "nb": ("Kommunestyret har delvis vedtatt «{title}»", ["Kommunestyret har behandlet «{title}» og vedtatt en del av det.", "Begrunnelse: {reason}"]),
        "nn": ("Kommunestyret har delvis vedteke «{title}»", ["Kommunestyret har handsama «{title}» og vedteke ein del av det.", "Grunngjeving: {reason}"]),
        "en": ("The council adopted “{title}” in part", ["The council treated “{title}” and adopted part of it.", "Reasons: {reason}"]),
    },
    "decision_rejected": {
        "da": ("Byrådet har afvist „{title}“", ["Byrådet har behandlet „{title}“ og afvist det.", "Begrundelse: {reason}"]),
        "nb": ("Kommunestyret har avvist «{title}»", ["Kommunestyret har behandlet «{title}» og avvist det.", "Begrunnelse: {reason}"]),
        "nn": ("Kommunestyret har avvist «{title}»", ["Kommunestyret har handsama «{title}» og avvist det.", "Grunngjeving: {reason}"]),
        "en": ("The council rejected “{title}”", ["The council treated “{title}” and rejected it.", "Reasons: {reason}"]),
    },
    "decision_sent_on": {
        "da": ("Byrådet har sendt „{title}“ videre", ["Byrådet har behandlet „{title}“ og sendt det videre.", "Begrundelse: {reason}"]),
        "nb": ("Kommunestyret har sendt «{title}» videre", ["Kommunestyret har behandlet «{title}» og sendt det videre.", "Begrunnelse: {reason}"]),
        "nn": ("Kommunestyret har sendt «{title}» vidare", ["Kommunestyret har handsama «{title}» og sendt det vidare.", "Grunngjeving: {reason}"]),
        "en": ("The council sent “{title}” on", ["The council treated “{title}” and sent it on.", "Reasons: {reason}"]),
    },
    "digest": {
        "da": ("Dit overblik fra Samskab ({count})", ["Her er det nye siden sidst:"]),
        "nb": ("Din oversikt fra Samskab ({count})", ["Her er det nye siden sist:"]),
        "nn": ("Oversikta di frå Samskab ({count})", ["Her er det nye sidan sist:"]),
        "en": ("Your Samskab summary ({count})", ["Here is what is new since last time:"]),
    },
    "confirm_address": {
        "da": ("Bekræft din e-mailadresse", ["Bekræft din e-mailadresse ved at åbne linket herunder. Derefter kan du stille forslag, støtte dem og tilmelde dig møder."]),
        "nb": ("Bekreft e-postadressen din", ["Bekreft e-postadressen din ved å åpne lenken nedenfor. Deretter kan du komme med forslag, støtte dem og melde deg på møter."]),
        "nn": ("Stadfest e-postadressa di", ["Stadfest e-postadressa di ved å opne lenkja nedanfor. Deretter kan du kome med forslag, støtte dei og melde deg på møte."]),
        "en": ("Confirm your e-mail address", ["Confirm your e-mail address by opening the link below. Then you can make proposals, support them and register for meetings."]),
    },
    "password_reset": {
        "da": ("Nulstil din adgangskode", ["Nogen har bedt om at nulstille adgangskoden til din konto. Linket herunder virker kort tid.", "Var det ikke dig, kan du se bort fra denne e-mail."]),
        "nb": ("Tilbakestill passordet ditt", ["Noen har bedt om å tilbakestille passordet til kontoen din. Lenken nedenfor virker en kort stund.", "Var det ikke deg, kan du se bort fra denne e-posten."]),
        "nn": ("Tilbakestill passordet ditt", ["Nokon har bede om å tilbakestille passordet til kontoen din. Lenkja nedanfor verkar ei kort stund.", "Var det ikkje deg, kan du sjå bort frå denne e-posten."]),
        "en": ("Reset your password", ["Someone asked to reset the password of your account. The link below works for a short while.", "If it was not you, ignore this e-mail."]),
    },
    "webhook_disabled": {
        "da": ("Webhook slået fra", ["Webhooken til {url} er slået fra efter {failures} mislykkede forsøg i træk.", "Ret modtageren og opret abonnementet igen."]),
        "nb": ("Webhook slått av", ["Webhooken til {url} er slått av etter {failures} mislykkede forsøk på rad.", "Rett mottakeren og opprett abonnementet på nytt."]),
        "nn": ("Webhook slått av", ["Webhooken til {url} er slått av etter {failures} mislukka forsøk på rad.", "Rett mottakaren og opprett abonnementet på nytt."]),
        "en": ("Webhook disabled", ["The webhook to {url} was disabled after {failures} failed attempts in a row.", "Fix the receiver and subscribe again."]),
    },
}

COMMON = {
    "da": {"greeting": "Hej {name},", "hello": "Hej,", "open": "Se mere", "why": "Du får denne e-mail, fordi du deltager på Samskab.",
           "unsubscribe": "Afmeld disse e-mails", "preferences": "Vælg hvad og hvor ofte"},
    "nb": {"greeting": "Hei {name},", "hello": "Hei,", "open": "Se mer", "why": "Du får denne e-posten fordi du deltar på Samskab.",
           "unsubscribe": "Meld deg av disse e-postene", "preferences": "Velg hva og hvor ofte"},
    "nn": {"greeting": "Hei {name},", "hello": "Hei,", "open": "Sjå meir", "why": "Du får denne e-posten fordi du deltek på Samskab.",
           "unsubscribe": "Meld deg av desse e-postane", "preferences": "Vel kva og kor ofte"},
    "en": {"greeting": "Hello {name},", "hello": "Hello,", "open": "See more", "why": "You receive this e-mail because you take part in Samskab.",
           "unsubscribe": "Unsubscribe from these e-mails", "preferences": "Choose what and how often"},
}

STATUS_NAMES = {
    "da": {"submitted": "indsendt", "published": "offentliggjort", "forming": "samler deltagere", "active": "i gang",
           "concluded": "afsluttet", "withdrawn": "trukket tilbage", "rejected": "afvist"},
    "nb": {"submitted": "sendt inn", "published": "publisert", "forming": "samler deltakere", "active": "i gang",
           "concluded": "avsluttet", "withdrawn": "trukket tilbake", "rejected": "avvist"},
    "nn": {"submitted": "send inn", "published": "publisert", "forming": "samlar deltakarar", "active": "i gang",
           "concluded": "avslutta", "withdrawn": "trekt tilbake", "rejected": "avvist"},
    "en": {"forming": "forming (gathering people)"},
}

MONTHS = {
    "da": "januar februar marts april maj juni juli august september oktober november december".split(),
    "nb": "januar februar mars april mai juni juli august september oktober november desember".split(),
    "nn": "januar februar mars april mai juni juli august september oktober november desember".split(),
    "en": "January February March April May June July August September October November December".split(),
}


def language_of(value):
    return value if value in LANGUAGES else "en"


def format_when(value, language, time_zone="UTC"):
    """An ISO time as people read it, in the municipality's time zone."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    moment = moment.astimezone(ZoneInfo(time_zone or "UTC"))
    month = MONTHS[language][moment.month - 1]
    if language == "en":
        return f"on {moment.day} {month} {moment.year} at {moment:%H:%M}"
    word = "kl." if language == "da" else "kl."
    return f"{moment.day}. {month} {moment.year} {word} {moment:%H:%M}"


def params_from_event(envelope, time_zone="UTC", language="en"):
    """The values a template may use, from an event's data: public content only."""
    data = envelope.get("data") or {}
    status = data.get("status") or data.get("to")
    return {
        "title": data.get("title") or data.get("proposal_title") or data.get("meeting_title") or "",
        "when": data.get("starts_at") or data.get("start") or data.get("starts"),
        "status": status,
        "reason": data.get("reason"),
        # a meeting's own time zone first: it is where the meeting happens
        "time_zone": data.get("time_zone") or time_zone,
        "place": data.get("place"),
        "version": data.get("version"),
        "hypothesis": data.get("hypothesis"),
        "outcome": data.get("outcome") if isinstance(data.get("outcome"), str) else None,
        "text": data.get("text"),
        "threshold": data.get("threshold"),
        "support_count": data.get("support_count"),
    }


class _Missing(dict):
    def __missing__(self, key):
        raise KeyError(key)


def _fill(template, values):
    try:
        return template.format_map(_Missing({k: v for k, v in values.items() if v not in (None, "")}))
    except KeyError:
        return None


def render(template, language, params):
    """``(subject, [body lines])`` of one notification in ``language``."""
    language = language_of(language)
    texts = TEXTS.get(template, TEXTS["proposal_published"])[language]
    values = dict(params)
    values["when"] = format_when(params.get("when"), language, params.get("time_zone") or "UTC")
    if params.get("status"):
        values["status"] = STATUS_NAMES[language].get(params["status"], params["status"])
    subject = _fill(texts[0], values) or _fill(texts[0], {**values, "title": "…"}) or texts[0]
    lines = [line for line in (_fill(t, values) for t in texts[1]) if line]
    return subject, lines


# -- unsubscribe tokens ---------------------------------------------------------

def unsubscribe_token(secret, participant_id, kind="all"):
    """An unguessable token naming a participant id and a kind (no personal data).
    ``secret`` is NOTIFICATIONS_SECRET, a key list: the newest signs (samskab.secrets)."""
    return f"{participant_id}.{kind}.{keys.sign(secret, f'{participant_id}:{kind}', length=18)}"


def read_unsubscribe_token(secret, token):
    """``(participant_id, kind)`` or ``None`` when the token is not ours."""
    parts = (token or "").split(".")
    if len(parts) != 3:
        return None
    participant_id, kind, signature = parts
    if not keys.verify(secret, f"{participant_id}:{kind}", signature, length=18):  # any listed key
        return None
    return participant_id, kind


# -- e-mail ---------------------------------------------------------------------------

def _html_page(language, greeting, lines, link, link_label, items, footer, unsubscribe_url, unsubscribe_label):
    esc = html.escape
    parts = [f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8"></head>',
             '<body style="font-family: sans-serif; line-height: 1.5">', f"<p>{esc(greeting)}</p>"]
    parts += [f"<p>{esc(line)}</p>" for line in lines]
    if items:
        parts.append("<ul>" + "".join(
            f'<li><a href="{esc(i["url"], quote=True)}">{esc(i["subject"])}</a></li>' if i.get("url")
            else f"<li>{esc(i['subject'])}</li>" for i in items) + "</ul>")
    if link:
        parts.append(f'<p><a href="{esc(link, quote=True)}">{esc(link_label)}</a></p>')
    parts.append(f'<hr><p style="font-size: small; color: #555">{esc(footer)}')
    if unsubscribe_url:
        parts.append(f'<br><a href="{esc(unsubscribe_url, quote=True)}">{esc(unsubscribe_label)}</a>')
    parts.append("</p></body></html>")
    return "".join(parts)


def _header(value):
    """A header value: ASCII as is, anything else as RFC 2047 encoded words."""
    if value.isascii():
        return value
    return Header(value, "utf-8", maxlinelen=76).encode()


def _address(value):
    name, addr = parseaddr(value)
    return formataddr((name, addr), charset="utf-8") if name else addr


def _part(content_type, text):
    # base64 keeps every line short and every byte safe, whatever the language.
    return (f'Content-Type: {content_type}; charset="utf-8"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
            + base64.encodebytes(text.encode("utf-8")).decode("ascii").replace("\n", "\r\n"))


def build_email(*, sender, to, language, name, subject, lines, link=None, items=(), unsubscribe_url=None,
                message_id_domain="samskab.localhost", now=None):
    """The e-mail as bytes: multipart/alternative text + HTML, RFC 8058 headers.

    Written out directly rather than through ``email.message.EmailMessage``,
    which costs milliseconds a message: a fan-out to 10,000 people builds
    10,000 of them in one handler.
    """
    language = language_of(language)
    common = COMMON[language]
    greeting = common["greeting"].format(name=name) if name else common["hello"]
    text = [greeting, ""] + lines
    if items:
        text += [""] + [f"- {i['subject']}" + (f"\n  {i['url']}" if i.get("url") else "") for i in items]
    if link:
        text += ["", f"{common['open']}: {link}"]
    text += ["", "-- ", common["why"]]
    if unsubscribe_url:  # transactional mail (address confirmation, password reset) has none
        text.append(f"{common['unsubscribe']}: {unsubscribe_url}")
    html_body = _html_page(language, greeting, lines, link, common["open"], items, common["why"], unsubscribe_url,
                           common["unsubscribe"])
    boundary = "=_samskab_" + uuid.uuid4().hex
    headers = [
        ("From", _address(sender)),
        ("To", _address(to)),
        ("Subject", _header(subject)),
        ("Date", format_datetime(now or dt.datetime.now(dt.timezone.utc))),
        ("Message-ID", f"<{uuid.uuid4().hex}@{message_id_domain}>"),
        ("Content-Language", language),
        ("Auto-Submitted", "auto-generated"),
        ("MIME-Version", "1.0"),
        ("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
    ]
    if unsubscribe_url:
        headers += [("List-Unsubscribe", f"<{unsubscribe_url}>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]
    head = "".join(f"{k}: {v}\r\n" for k, v in headers)
    body = (f"--{boundary}\r\n" + _part("text/plain", "\n".join(text) + "\n")
            + f"--{boundary}\r\n" + _part("text/html", html_body) + f"--{boundary}--\r\n")
    return (head + "\r\n" + body).encode("ascii")
