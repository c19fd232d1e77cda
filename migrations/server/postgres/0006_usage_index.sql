-- The per-device daily quota (docs/security.md) measures what a device stored in the last
-- 24 hours on every push: these indexes find that window without reading the device's
-- whole history.
CREATE INDEX operation_device_received ON operation (device_id, received_at);
CREATE INDEX correction_device_received ON correction (device_id, received_at);
