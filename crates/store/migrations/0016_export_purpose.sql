-- Why an export carried full citizen IDs and phone numbers (导出完整身份证号的用途);
-- NULL when they were masked.
ALTER TABLE data_exchanges ADD COLUMN purpose TEXT;
