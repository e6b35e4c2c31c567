-- The number a notice prints for itself ("Capital Call No. 5", "Distribution No. 7"), so a
-- question can name a notice by it. Table rows have none.
ALTER TABLE capital_calls ADD COLUMN reference TEXT;
ALTER TABLE distributions ADD COLUMN reference TEXT;
