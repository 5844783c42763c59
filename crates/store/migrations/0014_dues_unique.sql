-- One payment per member and starting month (党费按月交纳，同一月份不重复登记): the
-- database refuses a second one even when two submissions race past the overlap check.
-- Exact duplicates left by double submissions before this migration are removed first
-- (same member, months, amount and date: the same payment recorded twice).
DELETE FROM dues_payments WHERE id IN (
    SELECT d.id FROM dues_payments d JOIN dues_payments e
      ON e.member_id = d.member_id AND e.from_month = d.from_month AND e.to_month = d.to_month
     AND e.amount = d.amount AND e.paid_on = d.paid_on AND e.id < d.id
);
CREATE UNIQUE INDEX dues_payments_member_month ON dues_payments (member_id, from_month);
