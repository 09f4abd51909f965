-- TCC framework schema. Run it on the coordinator's database and on every participant database
-- (each table is used where it belongs; the unused ones stay empty). Safe to run twice.

-- Global transactions (coordinator side). One row per xid, written by the decision (or by a
-- participant's question about an undecided xid, as a cancel tombstone).
CREATE TABLE IF NOT EXISTS tcc_transaction (
    xid             VARCHAR(64)  NOT NULL PRIMARY KEY,
    name            VARCHAR(200) NOT NULL,
    state           VARCHAR(16)  NOT NULL,
    decision        VARCHAR(8),
    cause           VARCHAR(1000),
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    timeout_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    decided_at      TIMESTAMP WITH TIME ZONE,
    finished_at     TIMESTAMP WITH TIME ZONE,
    rounds          INTEGER      NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP WITH TIME ZONE,
    lease_owner     VARCHAR(64),
    lease_until     TIMESTAMP WITH TIME ZONE
);
CREATE INDEX IF NOT EXISTS tcc_transaction_state_idx ON tcc_transaction (state, next_attempt_at);
-- retention finds finished transactions by age
CREATE INDEX IF NOT EXISTS tcc_transaction_finished_idx ON tcc_transaction (finished_at);

-- Branches of a decided transaction (coordinator side), written with the decision.
CREATE TABLE IF NOT EXISTS tcc_branch (
    xid           VARCHAR(64)  NOT NULL,
    branch_id     INTEGER      NOT NULL,
    participant   VARCHAR(200) NOT NULL,
    action        VARCHAR(200) NOT NULL,
    hold_deadline TIMESTAMP WITH TIME ZONE NOT NULL,
    state         VARCHAR(16)  NOT NULL,
    attempts      INTEGER      NOT NULL DEFAULT 0,
    last_error    VARCHAR(1000),
    PRIMARY KEY (xid, branch_id)
);

-- Branch barrier (participant side), written in the participant's local transaction together
-- with the business change. It alone lets a participant replay its confirm/cancel and expire
-- its own holds.
CREATE TABLE IF NOT EXISTS tcc_barrier (
    xid           VARCHAR(64)  NOT NULL,
    branch_id     INTEGER      NOT NULL,
    action        VARCHAR(200) NOT NULL,
    state         VARCHAR(16)  NOT NULL,
    hold_deadline TIMESTAMP WITH TIME ZONE NOT NULL,
    timeout_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    arguments     TEXT,
    result        TEXT,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    -- the coordinator endpoint of a caller in another service (docs/protocol.md); null for this service's own transactions
    coordinator   VARCHAR(500),
    PRIMARY KEY (xid, branch_id)
);
-- tables created before the cross-service protocol get the column here; run in one transaction (as at start-up),
-- this statement also locks the table until it ends, so two instances starting at once upgrade one after the other
ALTER TABLE tcc_barrier ADD COLUMN IF NOT EXISTS coordinator VARCHAR(500);
-- one index for hold expiry (state = 'TRIED', by hold deadline) and retention (each final state, by hold deadline)
CREATE INDEX IF NOT EXISTS tcc_barrier_state_deadline_idx ON tcc_barrier (state, hold_deadline);
-- databases created by an older version had an index on each column: the composite one replaces both
DROP INDEX IF EXISTS tcc_barrier_state_idx;
DROP INDEX IF EXISTS tcc_barrier_deadline_idx;
