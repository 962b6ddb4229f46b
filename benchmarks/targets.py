"""The targets: the most each figure may be, against its baseline.

Ratios are the subject's cost over its baseline's, measured in the same run;
a growth step is the cost per unit (extension, record) at one size over the
same at the next smaller size.
"""

from __future__ import annotations

# Action: transfer_call over the same PUT sent bare, and over an action that
# sends only that PUT (Home Assistant's floor).
ACTION_OVER_BARE = 1.3
ACTION_OVER_FLOOR = 1.10
# Push: dial-in callback to the `ringing` state, median.
PUSH_MEDIAN_MS = 10
# Callback to call event, over the confirming listing's own round trip
# (median and p95).
CALLBACK_EXTRA_MS = 10
# Socket notification to call event, over the same listing (median and p95).
SOCKET_EXTRA_MS = 10
# 1,000 socket messages of random shape: the listings they may cost are the
# listing gate's (#22): a burst of 5 at once, then 1 a second while they
# last, and the one request held meanwhile.
SOCKET_FLOOD_BURST = 5
SOCKET_FLOOD_PER_SECOND = 1.0
# A phonebook lookup of a caller's number (10,000 contacts), over one plain
# dictionary read (#24: "a lookup costs one dictionary read").
PHONEBOOK_LOOKUP_OVER_DICT = 1.5
# Poll CPU per extension, each size over the next smaller (100, 1,000, 5,000).
POLL_STEP = 1.3
# CDR refresh CPU per record (50 records per extension), 1,000 over 100
# extensions.
CDR_STEP = 1.3
# Memory per extension after setup, over a bare integration's entities.
MEMORY_OVER_MINIMAL = 1.5
# Setting up 1,000 extensions, over a bare integration creating as many
# entities.
SETUP_OVER_MINIMAL = 1.5
# Memory held after 24 simulated hours, over after 3.
DAY_MEMORY_GROWTH = 1.1
# Outage flood: memory held and work per callback, last over first.
FLOOD_MEMORY_GROWTH = 1.2
FLOOD_TIME_GROWTH = 1.5
