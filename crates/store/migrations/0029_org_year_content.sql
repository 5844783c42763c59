-- The 会议日历 (org_year) now also keeps each meeting's form and recorded content (`*`
-- interactive, `~` only relayed documents, `+` another theme): an indicator run counts
-- the meeting-quality measures from it instead of grouping the year's meetings again.
-- Emptied here and refilled from the meetings by store::migrate (summaries::org_year_fill).
DELETE FROM org_year;
