-- booking service: one row per POST /bookings, keyed by its Idempotency-Key (when given) with the request's hash and outcome
CREATE TABLE IF NOT EXISTS booking (
    id              VARCHAR(36)    PRIMARY KEY,
    idempotency_key VARCHAR(255)   UNIQUE,
    request_hash    VARCHAR(64)    NOT NULL,
    request_json    VARCHAR(4000)  NOT NULL,
    status          VARCHAR(16)    NOT NULL,
    xid             VARCHAR(36),
    amount          DECIMAL(12, 2),
    reason          VARCHAR(2000),
    seat_hold       VARCHAR(36),
    room_hold       VARCHAR(36),
    payment_hold    VARCHAR(36),
    created_at      BIGINT         NOT NULL,
    updated_at      BIGINT         NOT NULL
);
CREATE INDEX IF NOT EXISTS booking_created ON booking (created_at);
CREATE INDEX IF NOT EXISTS booking_xid ON booking (xid);
