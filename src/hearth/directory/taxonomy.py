"""The two vocabularies Hearth ships: what people need, and who a service is for.

Codes are stable (used in URLs and the API); names are what people read. A feed imported
with other taxonomies keeps them alongside these.
"""

NEEDS_TAXONOMY = "Hearth needs"
AUDIENCE_TAXONOMY = "Hearth who it is for"

NEEDS = [
    ("emergency", "Help in an emergency"),
    ("advice-and-support", "Advice and someone to talk to"),
    ("idva", "Support through the courts and police (IDVA)"),
    ("safe-accommodation", "Somewhere safe to stay"),
    ("housing", "Housing advice"),
    ("practical-help", "Practical help (furniture, basics)"),
    ("children-and-families", "Help for children and families"),
    ("behaviour-change", "Changing abusive behaviour"),
    ("helpline", "Helpline"),
]

AUDIENCES = [
    ("women", "Women"),
    ("men", "Men"),
    ("lgbt", "LGBT+ people"),
    ("children-young-people", "Children and young people"),
    ("people-who-harm", "People who harm"),
    ("nrpf", "People with no recourse to public funds"),
]

# Languages the search offers (ISO 639-1): the city's communities first.
LANGUAGES = [
    ("en", "English"), ("ur", "Urdu"), ("pa", "Punjabi"), ("pl", "Polish"), ("ro", "Romanian"),
    ("ar", "Arabic"), ("bn", "Bengali"), ("ku", "Kurdish"), ("fa", "Farsi"),
]
