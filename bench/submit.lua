-- wrk script: POSTs a filled-in built-in questionnaire; every request carries a new
-- submission id (thread number + counter), so each one is a new response to store.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

-- A tag per run (wrk ... -- TAG), so that runs do not replay each other's ids.
local run = "0"
function init(args)
  run = args[1] or "0"
end

local n = 0
local answers = table.concat({
  "role=member", "sex=female", "age_band=a2", "education=e4", "party_years=12",
  "lead_attention=4", "lead_accountability=4", "integration=3", "committee_strength=4", "successor=3",
  "venue=4", "funding_enough=3", "staff_capacity=4", "has_fulltime_staff=no", "funding_sources=budget",
  "funding_sources=dues_return", "meetings_quality=4", "themed_day=5", "education_effect=4",
  "transfer_timely=4", "archives_tidy=3", "lessons_frequency=quarterly", "meeting_forms=discussion",
  "meeting_forms=visit", "life_count=14", "attention_check=4", "has_mobile=yes", "mobile_participation=sometimes",
  "development_quality=4", "carriers=4", "online_use=5", "new_fields=3", "methods_new=4", "top_problems=funding",
  "top_problems=staff", "suggestion=%E5%B8%8C%E6%9C%9B%E5%A2%9E%E5%8A%A0%E7%BB%8F%E8%B4%B9",
}, "&")

function request()
  n = n + 1
  local body = "_submission=wrk" .. run .. "t" .. tid .. "x" .. n .. "&_started=2026-11-27T08%3A00%3A00.000Z&" .. answers
  return wrk.format("POST", nil, { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end
