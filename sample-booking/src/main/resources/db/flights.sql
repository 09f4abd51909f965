-- flights service: seat inventory and seat holds (PENDING -> CONFIRMED | RELEASED)
CREATE TABLE IF NOT EXISTS flight (
    code            VARCHAR(16)    PRIMARY KEY,
    route           VARCHAR(64)    NOT NULL,
    price           DECIMAL(10, 2) NOT NULL,
    seats_total     INT            NOT NULL,
    seats_available INT            NOT NULL,
    CONSTRAINT flight_seats CHECK (seats_available >= 0 AND seats_available <= seats_total)
);
CREATE TABLE IF NOT EXISTS seat_hold (
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
CREATE INDEX IF NOT EXISTS seat_hold_created ON seat_hold (created_at);
CREATE INDEX IF NOT EXISTS seat_hold_state ON seat_hold (state);
INSERT INTO flight (code, route, price, seats_total, seats_available)
    SELECT 'TCC101', 'Berlin - Lisbon', 189.00, 20, 20 WHERE NOT EXISTS (SELECT 1 FROM flight WHERE code = 'TCC101');
INSERT INTO flight (code, route, price, seats_total, seats_available)
    SELECT 'TCC202', 'Paris - Oslo', 149.00, 12, 12 WHERE NOT EXISTS (SELECT 1 FROM flight WHERE code = 'TCC202');
INSERT INTO flight (code, route, price, seats_total, seats_available)
    SELECT 'TCC303', 'Rome - Dublin', 99.00, 6, 6 WHERE NOT EXISTS (SELECT 1 FROM flight WHERE code = 'TCC303');
