package dev.tcc.spring.autoconfigure;

import dev.tcc.api.MissingTablesException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a {@link MissingTablesException} that stopped the application context: which database lacks which TCC
 * tables, and the two ways to create them.
 */
class TccMissingTablesFailureAnalyzer extends AbstractFailureAnalyzer<MissingTablesException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, MissingTablesException cause) {
        String description = "TCC tables " + cause.missingTables() + " are missing on database '" + cause.database() + "' ["
                + cause.url() + "]. The starter creates them by itself only on an embedded database"
                + " (tcc.jdbc.initialize-schema=embedded); every transaction would fail on the missing tables.";
        String action = "Either set 'tcc.jdbc.initialize-schema=always' (every statement is idempotent), or create the tables"
                + " with the script '" + cause.schemaResource() + "' shipped in tcc-runtime, through Flyway or Liquibase"
                + " (copy it into a migration) or by hand, on database '" + cause.database() + "' before the application starts.";
        return new FailureAnalysis(description, action, cause);
    }
}
