-- The duplicate rule asks, per response, whether the same device answered the campaign
-- before: an index range per (campaign, device).
CREATE INDEX survey_responses_device ON survey_responses (campaign_id, device, id);
