-- hotels service: room inventory and room holds (PENDING -> CONFIRMED | RELEASED)
CREATE TABLE IF NOT EXISTS hotel (
    code            VARCHAR(16)    PRIMARY KEY,
    name            VARCHAR(64)    NOT NULL,
    price_per_night DECIMAL(10, 2) NOT NULL,
    rooms_total     INT            NOT NULL,
    rooms_available INT            NOT NULL,
    CONSTRAINT hotel_rooms CHECK (rooms_available >= 0 AND rooms_available <= rooms_total)
);
CREATE TABLE IF NOT EXISTS room_hold (
    id          VARCHAR(36)    PRIMARY KEY,
    xid         VARCHAR(36)    NOT NULL,
    resource    VARCHAR(64)    NOT NULL,
    quantity    INT            NOT NULL,
    amount      DECIMAL(12, 2) NOT NULL,
    state       VARCHAR(16)    NOT NULL,
    created_at  BIGINT         NOT NULL,
    expires_at  BIGINT         NOT NULL,
    finished_at BIGINT
);
CREATE INDEX IF NOT EXISTS room_hold_created ON room_hold (created_at);
CREATE INDEX IF NOT EXISTS room_hold_state ON room_hold (state);
INSERT INTO hotel (code, name, price_per_night, rooms_total, rooms_available)
    SELECT 'LIS-MAR', 'Hotel Mar, Lisbon', 120.00, 10, 10 WHERE NOT EXISTS (SELECT 1 FROM hotel WHERE code = 'LIS-MAR');
INSERT INTO hotel (code, name, price_per_night, rooms_total, rooms_available)
    SELECT 'OSL-FJORD', 'Fjord Inn, Oslo', 160.00, 6, 6 WHERE NOT EXISTS (SELECT 1 FROM hotel WHERE code = 'OSL-FJORD');
INSERT INTO hotel (code, name, price_per_night, rooms_total, rooms_available)
    SELECT 'DUB-QUAY', 'Quay House, Dublin', 95.00, 4, 4 WHERE NOT EXISTS (SELECT 1 FROM hotel WHERE code = 'DUB-QUAY');
