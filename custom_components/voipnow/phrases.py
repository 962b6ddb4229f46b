"""What voice says, in the language it was spoken to.

Every answer of the intents is a phrase here, by key, in English, German
(informal "du", as Home Assistant speaks) and French ("vous"); a language
without a phrase falls back to English. Names and numbers are filled in as
values; the words voice hears around them are in `spoken.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from .spoken import base_language

PHRASES: Final[dict[str, dict[str, str]]] = {
    "en": {
        "calling": "Calling {name} from {extension}.",
        "unknown_contact": "I don't have {name} in the phonebook.",
        "ambiguous_contact": "{name} has several numbers in the phonebook.",
        "which_phone": "From which phone: {extensions}?",
        "and": "and",
        "or": "or",
        "extension": "extension {number}",
        "unknown_caller": "an unknown caller",
        "party": "{name} ({number})",
        "unknown_extension": "I don't know an extension called {name}.",
        "no_call_on": "There is no call on {extensions}.",
        "no_call": "There is no call right now.",
        "several_calls": "Several phones have calls ({extensions}). Which extension?",
        "ambiguous_target": "{name} could mean {targets}. Which one?",
        "number_not_a_target": (
            "{number} is not one of your transfer targets. "
            "Add it in the VoipNow options to transfer calls there by voice."
        ),
        "unknown_target": "I don't know a transfer target called {name}.",
        "transferred": "Transferred the call with {party} to {target}.",
        "sent_to_voicemail": "Sent the call with {party} to voicemail of {target}.",
        "hung_up": "Hung up the call with {party}.",
        "parked": "Parked the call with {party}.",
        "picked_up": "Picked up the call from {party} on {target}.",
        "recording_started": "Recording the call with {party}.",
        "recording_stopped": "Stopped recording the call with {party}.",
        "not_allowed": "You are not allowed to control that phone.",
        "is_calling": "{party} is calling {extension}",
        "on_a_call": "{extension} is on a call with {party}",
        "nobody_calling": "Nobody is calling.",
        "history_unavailable": "The call history is not available right now.",
        "no_missed": "No missed calls.",
        "no_missed_on": "No missed calls on {extension}.",
        "no_missed_today": "No missed calls today.",
        "no_missed_on_today": "No missed calls on {extension} today.",
        "missed_one": "1 missed call, from {callers}.",
        "missed_many": "{count} missed calls, from {callers}.",
        "missed_one_on": "1 missed call on {extension}, from {callers}.",
        "missed_many_on": "{count} missed calls on {extension}, from {callers}.",
        "missed_one_today": "1 missed call today, from {callers}.",
        "missed_many_today": "{count} missed calls today, from {callers}.",
        "missed_one_on_today": "1 missed call on {extension} today, from {callers}.",
        "missed_many_on_today": (
            "{count} missed calls on {extension} today, from {callers}."
        ),
        "unknown_queue": "I don't know a call queue called {name}.",
        "which_queue": "Which queue?",
        "no_queues": "There are no call queues.",
        "not_an_agent": "Extension {agent} is not an agent of {queue}.",
        "not_an_agent_anywhere": "Extension {agent} is not an agent of any call queue.",
        "queue_unavailable": "The queue {queue} cannot be read right now.",
        "agent_online": "Logged {agent} into {queues}.",
        "agent_paused": "Paused {agent} in {queues}.",
        "agent_logged_out": "Logged {agent} out of {queues}.",
        "nobody_online": "Nobody is online in {queue}.",
        "one_online": "In {queue}, {agents} is online.",
        "many_online": "In {queue}, {agents} are online.",
        "paused_agents": "Paused: {agents}.",
    },
    "de": {
        "calling": "Ich rufe {name} von {extension} an.",
        "unknown_contact": "{name} steht nicht im Telefonbuch.",
        "ambiguous_contact": "{name} hat mehrere Nummern im Telefonbuch.",
        "which_phone": "Von welchem Telefon: {extensions}?",
        "and": "und",
        "or": "oder",
        "extension": "Nebenstelle {number}",
        "unknown_caller": "Unbekannt",
        "party": "{name} ({number})",
        "unknown_extension": "Ich kenne keine Nebenstelle namens {name}.",
        "no_call_on": "Auf {extensions} gibt es keinen Anruf.",
        "no_call": "Gerade gibt es keinen Anruf.",
        "several_calls": (
            "Mehrere Telefone haben einen Anruf ({extensions}). Welche Nebenstelle?"
        ),
        "ambiguous_target": "Mit {name} kann {targets} gemeint sein. Welches Ziel?",
        "number_not_a_target": (
            "{number} ist keines deiner Weiterleitungsziele. Füge es in den "
            "VoipNow-Optionen hinzu, um Anrufe per Sprache dorthin weiterzuleiten."
        ),
        "unknown_target": "Ich kenne kein Weiterleitungsziel namens {name}.",
        "transferred": "Anruf mit {party} an {target} weitergeleitet.",
        "sent_to_voicemail": "Anruf mit {party} an die Mailbox von {target} gesendet.",
        "hung_up": "Anruf mit {party} beendet.",
        "parked": "Anruf mit {party} geparkt.",
        "picked_up": "Anruf von {party} an {target} angenommen.",
        "recording_started": "Der Anruf mit {party} wird aufgenommen.",
        "recording_stopped": "Aufnahme des Anrufs mit {party} beendet.",
        "not_allowed": "Du darfst dieses Telefon nicht steuern.",
        "is_calling": "{party} ruft {extension} an",
        "on_a_call": "{extension} telefoniert mit {party}",
        "nobody_calling": "Niemand ruft an.",
        "history_unavailable": "Die Anrufliste ist gerade nicht verfügbar.",
        "no_missed": "Keine verpassten Anrufe.",
        "no_missed_on": "Keine verpassten Anrufe auf {extension}.",
        "no_missed_today": "Heute keine verpassten Anrufe.",
        "no_missed_on_today": "Heute keine verpassten Anrufe auf {extension}.",
        "missed_one": "1 verpasster Anruf von {callers}.",
        "missed_many": "{count} verpasste Anrufe von {callers}.",
        "missed_one_on": "1 verpasster Anruf auf {extension} von {callers}.",
        "missed_many_on": "{count} verpasste Anrufe auf {extension} von {callers}.",
        "missed_one_today": "Heute 1 verpasster Anruf von {callers}.",
        "missed_many_today": "Heute {count} verpasste Anrufe von {callers}.",
        "missed_one_on_today": (
            "Heute 1 verpasster Anruf auf {extension} von {callers}."
        ),
        "missed_many_on_today": (
            "Heute {count} verpasste Anrufe auf {extension} von {callers}."
        ),
        "unknown_queue": "Ich kenne keine Warteschlange namens {name}.",
        "which_queue": "Welche Warteschlange?",
        "no_queues": "Es gibt keine Warteschlangen.",
        "not_an_agent": "Nebenstelle {agent} ist kein Agent der Warteschlange {queue}.",
        "not_an_agent_anywhere": (
            "Nebenstelle {agent} ist in keiner Warteschlange Agent."
        ),
        "queue_unavailable": (
            "Die Warteschlange {queue} kann gerade nicht gelesen werden."
        ),
        "agent_online": "{agent} bei {queues} angemeldet.",
        "agent_paused": "{agent} in {queues} pausiert.",
        "agent_logged_out": "{agent} von {queues} abgemeldet.",
        "nobody_online": "In {queue} ist niemand online.",
        "one_online": "In {queue} ist {agents} online.",
        "many_online": "In {queue} sind {agents} online.",
        "paused_agents": "Pausiert: {agents}.",
    },
    "fr": {
        "calling": "J'appelle {name} depuis {extension}.",
        "unknown_contact": "{name} n'est pas dans l'annuaire.",
        "ambiguous_contact": "{name} a plusieurs numéros dans l'annuaire.",
        "which_phone": "Depuis quel téléphone : {extensions} ?",
        "and": "et",
        "or": "ou",
        "extension": "le poste {number}",
        "unknown_caller": "un correspondant inconnu",
        "party": "{name} ({number})",
        "unknown_extension": "Je ne connais aucun poste nommé {name}.",
        "no_call_on": "Il n'y a pas d'appel sur {extensions}.",
        "no_call": "Il n'y a aucun appel en ce moment.",
        "several_calls": (
            "Plusieurs téléphones ont un appel ({extensions}). Quel poste ?"
        ),
        "ambiguous_target": "{name} peut désigner {targets}. Lequel ?",
        "number_not_a_target": (
            "{number} ne fait pas partie de vos destinations de transfert. "
            "Ajoutez-le dans les options de VoipNow pour y transférer des appels "
            "à la voix."
        ),
        "unknown_target": "Je ne connais aucune destination de transfert nommée {name}.",
        "transferred": "J'ai transféré l'appel avec {party} vers {target}.",
        "sent_to_voicemail": (
            "J'ai envoyé l'appel avec {party} sur la messagerie vocale de {target}."
        ),
        "hung_up": "J'ai raccroché l'appel avec {party}.",
        "parked": "J'ai parqué l'appel avec {party}.",
        "picked_up": "J'ai intercepté l'appel de {party} sur {target}.",
        "recording_started": "J'enregistre l'appel avec {party}.",
        "recording_stopped": "J'ai arrêté l'enregistrement de l'appel avec {party}.",
        "not_allowed": "Vous n'êtes pas autorisé à contrôler ce téléphone.",
        "is_calling": "{party} appelle {extension}",
        "on_a_call": "{extension} est en communication avec {party}",
        "nobody_calling": "Personne n'appelle.",
        "history_unavailable": (
            "L'historique des appels n'est pas disponible pour le moment."
        ),
        "no_missed": "Aucun appel manqué.",
        "no_missed_on": "Aucun appel manqué sur {extension}.",
        "no_missed_today": "Aucun appel manqué aujourd'hui.",
        "no_missed_on_today": "Aucun appel manqué sur {extension} aujourd'hui.",
        "missed_one": "1 appel manqué : {callers}.",
        "missed_many": "{count} appels manqués : {callers}.",
        "missed_one_on": "1 appel manqué sur {extension} : {callers}.",
        "missed_many_on": "{count} appels manqués sur {extension} : {callers}.",
        "missed_one_today": "1 appel manqué aujourd'hui : {callers}.",
        "missed_many_today": "{count} appels manqués aujourd'hui : {callers}.",
        "missed_one_on_today": (
            "1 appel manqué sur {extension} aujourd'hui : {callers}."
        ),
        "missed_many_on_today": (
            "{count} appels manqués sur {extension} aujourd'hui : {callers}."
        ),
        "unknown_queue": "Je ne connais aucune file d'appels nommée {name}.",
        "which_queue": "Quelle file d'appels ?",
        "no_queues": "Il n'y a aucune file d'appels.",
        "not_an_agent": "Le poste {agent} n'est pas agent de la file {queue}.",
        "not_an_agent_anywhere": (
            "Le poste {agent} n'est agent d'aucune file d'appels."
        ),
        "queue_unavailable": ("La file {queue} ne peut pas être lue pour le moment."),
        "agent_online": "J'ai connecté {agent} à {queues}.",
        "agent_paused": "J'ai mis {agent} en pause dans {queues}.",
        "agent_logged_out": "J'ai déconnecté {agent} de {queues}.",
        "nobody_online": "Personne n'est en ligne dans {queue}.",
        "one_online": "Dans {queue}, {agents} est en ligne.",
        "many_online": "Dans {queue}, {agents} sont en ligne.",
        "paused_agents": "En pause : {agents}.",
    },
}


def say(language: str | None, key: str, **values: Any) -> str:
    """Return a phrase in a language (English when it has none), filled in."""
    template = PHRASES.get(base_language(language), {}).get(key) or PHRASES["en"][key]
    return template.format(**values)


def listing(language: str | None, items: Sequence[str]) -> str:
    """Say a list in a language: `A`, `A and B`, `A, B and C`."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {say(language, 'and')} {items[-1]}"


def alternatives(language: str | None, items: Sequence[str]) -> str:
    """Say alternatives: `A`, `A or B`, `A, B or C`."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {say(language, 'or')} {items[-1]}"


def capitalised(text: str) -> str:
    """Start a sentence with a capital letter (a label may not)."""
    return text[:1].upper() + text[1:]
