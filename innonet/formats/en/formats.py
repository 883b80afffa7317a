"""English date formats that differ from Django's: times on the 24-hour clock ("13:00").

Django writes "1 p.m.", whose period doubles up with the one of the sentence a date and time
so often ends ("Voting closes on Dec. 7, 2026, 1 p.m.."); the Japanese pages use 13:00 too.
"""

TIME_FORMAT = "H:i"
DATETIME_FORMAT = "N j, Y, H:i"
SHORT_DATETIME_FORMAT = "m/d/Y H:i"
