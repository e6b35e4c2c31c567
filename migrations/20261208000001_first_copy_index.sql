-- The first copies of a fund's cash flows by date: what metrics read and what a new document's
-- rows are matched against when duplicates are marked. The full (fund_id, date) index also holds
-- every later copy, which such lookups had to visit and discard one by one.
CREATE INDEX capital_calls_fund_date_first ON capital_calls (fund_id, date) WHERE duplicate_of IS NULL;
CREATE INDEX distributions_fund_date_first ON distributions (fund_id, date) WHERE duplicate_of IS NULL;
