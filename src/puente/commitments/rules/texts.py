# ruff: noqa: E501 - a catalogue of whole sentences, one per line, kept whole for review
"""The words of the commitments tracker, as gettext msgids: the Declaration's
commitments (our wording, see `data/README.md`), sections, action packages, the
Global Compacts' objectives, and the seeded deliverables' texts so that they
are translated like everything else."""

from __future__ import annotations

from typing import Final

from puente.core.i18n import N_

SECTION_LABELS: Final[dict[str, str]] = {
    "preamble": N_("Principles"),
    "stability": N_("Stability and assistance for communities"),
    "pathways": N_("Regular pathways for migration and international protection"),
    "management": N_("Humane migration management"),
    "emergency": N_("A coordinated emergency response"),
    "implementation": N_("Implementation"),
    "several": N_("Several pillars"),
}
SECTIONS: Final = tuple(SECTION_LABELS)

VERB_LABELS: Final[dict[str, str]] = {
    "commit": N_("We commit"),
    "intend": N_("We intend"),
    "plan": N_("We plan"),
    "affirm": N_("We affirm"),
    "announce": N_("Announced"),
}

DECLARATION_TEXTS: Final[dict[str, str]] = {
    "LAD-00": N_(
        "Share responsibility for migration and protection among the states of the region, in solidarity."
    ),
    "LAD-01": N_(
        "Protect the safety, dignity, human rights and fundamental freedoms of all migrants, refugees, asylum seekers and stateless persons, whatever their migratory status."
    ),
    "LAD-02": N_(
        "Cooperate closely for safe, orderly, humane and regular migration and, where appropriate, safe and dignified returns, consistent with national law, non-refoulement and international obligations."
    ),
    "LAD-03": N_(
        "Support the communities that host most migrants and refugees, and their social and economic integration, with access to services, work and documents."
    ),
    "LAD-04": N_(
        "Establish new financial support instruments, including concessional financing from development banks, for countries hosting migrant populations."
    ),
    "LAD-05": N_(
        "Address the political, economic, security, social and environmental causes that force people to leave their countries."
    ),
    "LAD-06": N_("Combat xenophobia and discrimination against migrants and refugees."),
    "LAD-07": N_(
        "Expand regular pathways, including temporary labour migration programmes with fair and ethical recruitment."
    ),
    "LAD-08": N_(
        "Promote regularisation and temporary protection for migrants and refugees living in our countries."
    ),
    "LAD-09": N_("Strengthen asylum systems and access to international protection."),
    "LAD-10": N_(
        "Expand refugee resettlement, complementary pathways and family reunification."
    ),
    "LAD-11": N_(
        "Manage borders humanely, respecting human rights and the principle of non-refoulement."
    ),
    "LAD-12": N_(
        "Combat the smuggling of migrants and trafficking in persons through regional cooperation."
    ),
    "LAD-13": N_(
        "Cooperate on safe and dignified return, readmission and sustainable reintegration."
    ),
    "LAD-14": N_("Share information on migration between states, safely."),
    "LAD-15": N_(
        "Respond together to mass movements, with early warning and a coordinated emergency response."
    ),
    "LAD-16": N_(
        "Implement these commitments through MIRPS, the Regional Conference on Migration, the South American Conference on Migration, the Quito Process and the R4V platform, in line with the Global Compacts."
    ),
}

PACKAGE_NAMES: Final[dict[str, str]] = {
    "AP1": N_("Integration and support for host communities"),
    "AP2": N_("Temporary protection and regularisation"),
    "AP3": N_("International financing for migrant-hosting countries"),
    "AP4": N_("Combatting xenophobia"),
    "AP5": N_("Labour mobility"),
    "AP6": N_("Investing in asylum"),
    "AP7": N_("Refugee resettlement"),
    "AP8": N_("Family reunification and alternative migration pathways"),
}
# Names used in the deliverables seed -> package code.
PACKAGE_BY_NAME: Final[dict[str, str]] = {
    "integration and support for host communities": "AP1",
    "temporary protection and regularization": "AP2",
    "international financing for migrant-hosting countries": "AP3",
    "combatting xenophobia": "AP4",
    "labor mobility": "AP5",
    "investing in asylum": "AP6",
    "refugee resettlement": "AP7",
    "family reunification and alternative migration pathways": "AP8",
}

GCR_OBJECTIVES: Final[dict[int, str]] = {
    1: N_("Ease pressures on host countries"),
    2: N_("Enhance refugee self-reliance"),
    3: N_("Expand access to third-country solutions"),
    4: N_("Support conditions in countries of origin for return in safety and dignity"),
}
GCM_OBJECTIVES: Final[dict[int, str]] = {
    1: N_(
        "Collect and use accurate and disaggregated data as a basis for evidence-based policies"
    ),
    2: N_(
        "Minimise the adverse drivers and structural factors that compel people to leave their country of origin"
    ),
    3: N_("Provide accurate and timely information at all stages of migration"),
    4: N_(
        "Ensure that all migrants have proof of legal identity and adequate documentation"
    ),
    5: N_("Enhance availability and flexibility of pathways for regular migration"),
    6: N_(
        "Facilitate fair and ethical recruitment and safeguard conditions that ensure decent work"
    ),
    7: N_("Address and reduce vulnerabilities in migration"),
    8: N_(
        "Save lives and establish coordinated international efforts on missing migrants"
    ),
    9: N_("Strengthen the transnational response to smuggling of migrants"),
    10: N_(
        "Prevent, combat and eradicate trafficking in persons in the context of international migration"
    ),
    11: N_("Manage borders in an integrated, secure and coordinated manner"),
    12: N_(
        "Strengthen certainty and predictability in migration procedures for appropriate screening, assessment and referral"
    ),
    13: N_(
        "Use migration detention only as a measure of last resort and work towards alternatives"
    ),
    14: N_(
        "Enhance consular protection, assistance and cooperation throughout the migration cycle"
    ),
    15: N_("Provide access to basic services for migrants"),
    16: N_(
        "Empower migrants and societies to realise full inclusion and social cohesion"
    ),
    17: N_(
        "Eliminate all forms of discrimination and promote evidence-based public discourse to shape perceptions of migration"
    ),
    18: N_(
        "Invest in skills development and facilitate mutual recognition of skills, qualifications and competences"
    ),
    19: N_(
        "Create conditions for migrants and diasporas to fully contribute to sustainable development in all countries"
    ),
    20: N_(
        "Promote faster, safer and cheaper transfer of remittances and foster financial inclusion of migrants"
    ),
    21: N_(
        "Cooperate in facilitating safe and dignified return and readmission, as well as sustainable reintegration"
    ),
    22: N_(
        "Establish mechanisms for the portability of social security entitlements and earned benefits"
    ),
    23: N_(
        "Strengthen international cooperation and global partnerships for safe, orderly and regular migration"
    ),
}

UNIT_LABELS: Final[dict[str, str]] = {
    "people": N_("people"),
    "people (estimate)": N_("people (estimate)"),
    "visas": N_("visas"),
    "personnel": N_("staff"),
    "workers": N_("workers"),
    "workers per year": N_("workers a year"),
    "USD": N_("US dollars"),
    "CAD": N_("Canadian dollars"),
}

# The deliverables seed's texts (`data/lad_commitments_seed.csv`): listed so
# that they are extracted and translated; shown through gettext.
SEED_TEXTS: Final = (
    N_("Resettle refugees from the Americas (about a threefold increase)"),
    N_(
        "Additional H-2B non-agricultural seasonal worker visas for nationals of northern Central America and Haiti"
    ),
    N_("Resume Cuban and Haitian Family Reunification Parole programmes"),
    N_("Anti-smuggling campaign; DHS had deployed more than 1300 personnel"),
    N_(
        "New humanitarian and development assistance for countries hosting refugees and migrants"
    ),
    N_(
        "Contribution to the World Bank GCFF prioritising Latin American countries such as Ecuador and Costa Rica should they become eligible"
    ),
    N_(
        "New State Dept humanitarian and security assistance (about 82M humanitarian + over 160M bilateral/regional); about 817M in total announced that month"
    ),
    N_(
        "Contribution to the IDB migration grant facility (adds to 17.6M via GCFF for Colombia in 2021 and 12M for IDB Lab Better Together Challenge)"
    ),
    N_("Humanitarian development and economic assistance announced"),
    N_(
        "New humanitarian development economic and security assistance (over 1.2bn committed under LAD in 2024)"
    ),
    N_("Welcome (resettle) additional people from the Americas"),
    N_(
        "Funding for migration management integration rights of migrants and host communities gender equality and anti-smuggling (CAD)"
    ),
    N_(
        "Pre-existing plan to bring in more agricultural workers from Mexico Guatemala and the Caribbean"
    ),
    N_(
        "Additional contribution to IDB migration grant facility (total 16M with 6M of 2022)"
    ),
    N_(
        "New temporary labour programme for Guatemalan workers per year; to extend to Honduras and El Salvador in the medium term"
    ),
    N_(
        "Regularize Central American and CARICOM migrants living irregularly for a specified time (programme from August 2022)"
    ),
    N_(
        "Fully implement temporary protected status (ETPV) for Venezuelan migrants and refugees"
    ),
    N_(
        "Executive decree: regularization path for Venezuelans who entered through an official port of entry (estimated 500000 Venezuelans in Ecuador)"
    ),
    N_(
        "Extend protections (special temporary category) to Cubans Nicaraguans and Venezuelans who arrived before March 2020"
    ),
    N_("Lead the action package"),
    N_(
        "Lead the action package (participants Chile Colombia Honduras Guyana Peru United States)"
    ),
    N_(
        "Lead the action package (participants Haiti United States El Salvador Guatemala)"
    ),
    N_("Lead the action package (participants Costa Rica Haiti)"),
    N_(
        "Co-lead the action package with Guyana (participants Mexico Uruguay United States)"
    ),
    N_(
        "Amnesty on overstay fines to ease regularization (about 100000 Venezuelans benefit)"
    ),
    N_("Regularization programme for people who entered 2019-2022"),
    N_("Biometric Data Sharing Partnership signed with US DHS"),
    N_(
        "Lead the LAD technical secretariat / host 2025 ministerial (rotating presidency)"
    ),
)
