-- payments service: cards with a credit line, and authorisations that hold part of it (PENDING -> CONFIRMED | RELEASED)
CREATE TABLE IF NOT EXISTS card (
    number       VARCHAR(19)    PRIMARY KEY,
    holder       VARCHAR(64)    NOT NULL,
    credit_limit DECIMAL(12, 2) NOT NULL,
    available    DECIMAL(12, 2) NOT NULL,
    declines     BOOLEAN        NOT NULL,
    CONSTRAINT card_credit CHECK (available >= 0 AND available <= credit_limit)
);
CREATE TABLE IF NOT EXISTS payment_hold (
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
CREATE INDEX IF NOT EXISTS payment_hold_created ON payment_hold (created_at);
CREATE INDEX IF NOT EXISTS payment_hold_state ON payment_hold (state);
INSERT INTO card (number, holder, credit_limit, available, declines)
    SELECT '4111111111111111', 'Ada Lovelace', 10000.00, 10000.00, FALSE WHERE NOT EXISTS (SELECT 1 FROM card WHERE number = '4111111111111111');
INSERT INTO card (number, holder, credit_limit, available, declines)
    SELECT '5555555555554444', 'Alan Turing', 1000.00, 1000.00, FALSE WHERE NOT EXISTS (SELECT 1 FROM card WHERE number = '5555555555554444');
INSERT INTO card (number, holder, credit_limit, available, declines)
    SELECT '4000000000000002', 'Test card', 10000.00, 10000.00, TRUE WHERE NOT EXISTS (SELECT 1 FROM card WHERE number = '4000000000000002');
