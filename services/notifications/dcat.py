"""The open-data catalog as DCAT-AP in JSON-LD (``catalog.jsonld``): a ``dcat:Catalog``
of the municipality, a ``dcat:Dataset`` per dataset, each with a ``dcat:Distribution``
for JSON and one for CSV, the licence, the municipality as publisher, the time of the
newest change, titles and descriptions in the municipality's language and in English.
Pure: takes the datasets' names, columns and times.  The ``@context`` is inline, so
the document expands with no download."""

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "dct:license": {"@type": "@id"},
    "dct:language": {"@type": "@id"},
    "dct:format": {"@type": "@id"},
    "dcat:mediaType": {"@type": "@id"},
    "dcat:accessURL": {"@type": "@id"},
    "dcat:downloadURL": {"@type": "@id"},
    "foaf:homepage": {"@type": "@id"},
    "dct:modified": {"@type": "xsd:dateTime"},
}

# The EU Publications Office's authority lists, as DCAT-AP asks
LANGUAGES = {"da": "DAN", "nb": "NOB", "nn": "NNO", "en": "ENG"}
EU = "http://publications.europa.eu/resource/authority"
MEDIA = {"json": ("application/json", "JSON"), "csv": ("text/csv", "CSV")}

TEXTS = {
    "da": {"catalog": "Åbne data fra {name} på Samskab",
           "catalog_about": "Forslag, møder, resultater, eksperimenter, samarbejdsaftaler, missioner, opgaveudvalg "
                            "og beslutninger i {name}, én række pr. enhed, uden personoplysninger.",
           "proposals": ("Forslag", "Borgeres, foreningers, virksomheders og medarbejderes forslag, med status og "
                                    "hvad der hører til"),
           "meetings": ("Møder", "Borgermøder, debatsaloner, paneler og andre møder, med pladser og status"),
           "outcomes": ("Resultater", "Beslutninger, handlinger og eksperimenter, der kom ud af møderne"),
           "experiments": ("Eksperimenter", "Afprøvede løsninger med hypotese, indsats, resultat og læring"),
           "agreements": ("Samarbejdsaftaler", "Hvem gør hvad, kommunens løfte og hvem der beslutter (offentlige dele)"),
           "missions": ("Missioner", "Byrådets missioner: udfordring, mål og tidshorisont"),
           "committees": ("Opgaveudvalg", "Opgaveudvalg med kommissorium, sammensætning og anbefaling"),
           "decisions": ("Beslutninger", "Sager for byrådet og dets svar med begrundelse"),
           "json": "{title} som JSON", "csv": "{title} som CSV"},
    "nb": {"catalog": "Åpne data fra {name} på Samskab",
           "catalog_about": "Forslag, møter, resultater, eksperimenter, samarbeidsavtaler, oppdrag, oppgaveutvalg "
                            "og vedtak i {name}, én rad per enhet, uten personopplysninger.",
           "proposals": ("Forslag", "Forslag fra innbyggere, foreninger, bedrifter og ansatte, med status og det "
                                    "som hører til"),
           "meetings": ("Møter", "Folkemøter, debattkvelder, paneler og andre møter, med plasser og status"),
           "outcomes": ("Resultater", "Vedtak, tiltak og eksperimenter som kom ut av møtene"),
           "experiments": ("Eksperimenter", "Utprøvde løsninger med hypotese, tiltak, resultat og læring"),
           "agreements": ("Samarbeidsavtaler", "Hvem gjør hva, kommunens løfte og hvem som bestemmer (offentlige deler)"),
           "missions": ("Oppdrag", "Kommunestyrets oppdrag: utfordring, mål og tidshorisont"),
           "committees": ("Oppgaveutvalg", "Oppgaveutvalg med mandat, sammensetning og anbefaling"),
           "decisions": ("Vedtak", "Saker for kommunestyret og svaret med begrunnelse"),
           "json": "{title} som JSON", "csv": "{title} som CSV"},
    "nn": {"catalog": "Opne data frå {name} på Samskab",
           "catalog_about": "Forslag, møte, resultat, eksperiment, samarbeidsavtalar, oppdrag, oppgåveutval og "
                            "vedtak i {name}, éi rad per eining, utan personopplysingar.",
           "proposals": ("Forslag", "Forslag frå innbyggjarar, foreiningar, verksemder og tilsette, med status og "
                                    "det som høyrer til"),
           "meetings": ("Møte", "Folkemøte, debattkveldar, panel og andre møte, med plassar og status"),
           "outcomes": ("Resultat", "Vedtak, tiltak og eksperiment som kom ut av møta"),
           "experiments": ("Eksperiment", "Utprøvde løysingar med hypotese, tiltak, resultat og læring"),
           "agreements": ("Samarbeidsavtalar", "Kven gjer kva, lovnaden frå kommunen og kven som avgjer (offentlege "
                                               "delar)"),
           "missions": ("Oppdrag", "Oppdraga frå kommunestyret: utfordring, mål og tidshorisont"),
           "committees": ("Oppgåveutval", "Oppgåveutval med mandat, samansetjing og tilråding"),
           "decisions": ("Vedtak", "Saker for kommunestyret og svaret med grunngjeving"),
           "json": "{title} som JSON", "csv": "{title} som CSV"},
    "en": {"catalog": "Open data from {name} on Samskab",
           "catalog_about": "Proposals, meetings, outcomes, experiments, collaboration agreements, missions, task "
                            "committees and decisions in {name}, one row per entity, with no personal data.",
           "proposals": ("Proposals", "Proposals by residents, associations, businesses and employees, with their "
                                      "status and what belongs to them"),
           "meetings": ("Meetings", "Citizens' meetings, debate salons, panels and other meetings, with seats and "
                                    "status"),
           "outcomes": ("Outcomes", "Decisions, actions and experiments that came out of the meetings"),
           "experiments": ("Experiments", "Solutions tried, with hypothesis, intervention, outcome and learnings"),
           "agreements": ("Collaboration agreements", "Who does what, the municipality's promise and who decides "
                                                      "(public parts)"),
           "missions": ("Missions", "The council's missions: challenge, goal and horizon"),
           "committees": ("Task committees", "Task committees with their mandate, composition and recommendation"),
           "decisions": ("Decisions", "Cases put to the council and its answers with reasons"),
           "json": "{title} as JSON", "csv": "{title} as CSV"},
}


def _texts(languages, key, index=None, **fields):
    values = []
    for language in languages:
        text = TEXTS[language][key]
        if index is not None:
            text = text[index]
        values.append({"@value": text.format(**fields), "@language": language})
    return values


def catalog(*, municipality, name, official_code, language, homepage, api_url, licence, datasets, modified):
    """The catalog document.  ``datasets``: ``{name: [Column]}``; ``modified``: ``{name:
    ISO time or None}``; ``api_url``: ``…/api/v1/municipalities/<m>``."""
    languages = [language] + (["en"] if language != "en" else []) if language in TEXTS else ["en"]
    publisher = {"@id": f"{homepage}#publisher", "@type": "foaf:Agent", "foaf:name": name,
                 "dct:identifier": official_code, "foaf:homepage": homepage}
    language_ids = [f"{EU}/language/{LANGUAGES[x]}" for x in languages]
    licence_node = {"@id": licence, "@type": "dct:LicenseDocument"}
    entries = []
    for dataset, columns in datasets.items():
        title_en = TEXTS["en"][dataset][0]
        distributions = []
        for fmt, (media, eu_format) in MEDIA.items():
            url = f"{api_url}/open-data/{dataset}.{fmt}"
            distributions.append({
                "@id": url, "@type": "dcat:Distribution",
                "dct:title": [{"@value": TEXTS[x][fmt].format(title=TEXTS[x][dataset][0]), "@language": x}
                              for x in languages],
                "dcat:accessURL": url, "dcat:downloadURL": url,
                "dcat:mediaType": f"https://www.iana.org/assignments/media-types/{media}",
                "dct:format": f"{EU}/file-type/{eu_format}", "dct:license": licence,
            })
        entry = {
            "@id": f"{api_url}/open-data/{dataset}", "@type": "dcat:Dataset",
            "dct:identifier": f"{municipality}/{dataset}",
            "dct:title": _texts(languages, dataset, 0), "dct:description": _texts(languages, dataset, 1),
            "dct:publisher": {"@id": publisher["@id"]}, "dct:license": licence, "dct:language": language_ids,
            "dcat:keyword": [{"@value": title_en.lower(), "@language": "en"}, {"@value": "samskab", "@language": "en"}],
            "dcat:distribution": distributions,
            "rdfs:comment": "columns: " + ", ".join(c.name for c in columns),
        }
        if modified.get(dataset):
            entry["dct:modified"] = modified[dataset]
        entries.append(entry)
    document = {
        "@context": CONTEXT,
        "@id": f"{api_url}/catalog.jsonld", "@type": "dcat:Catalog",
        "dct:title": _texts(languages, "catalog", name=name),
        "dct:description": _texts(languages, "catalog_about", name=name),
        "dct:publisher": publisher, "dct:license": licence_node, "dct:language": language_ids,
        "foaf:homepage": homepage, "dcat:dataset": entries,
    }
    newest = max((value for value in modified.values() if value), default=None)
    if newest:
        document["dct:modified"] = newest
    return document
