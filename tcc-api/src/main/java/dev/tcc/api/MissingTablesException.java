package dev.tcc.api;

import java.util.List;

/**
 * Thrown at start-up when a database the runtime writes to lacks the TCC tables: the transaction log's database
 * ({@code tcc_transaction}, {@code tcc_branch}) or a participant's ({@code tcc_barrier}). Without the check the
 * application would start and every transaction would fail on the missing table. The message names the database,
 * its JDBC URL (without credentials), the missing tables and the two fixes: let the runtime create them, or run the
 * shipped schema script with a migration tool.
 */
public class MissingTablesException extends TccException {

    private static final long serialVersionUID = 1L;

    private final String database;
    private final String url;
    private final List<String> missingTables;
    private final String schemaResource;

    /**
     * @param role           which database, for the message: "the transaction log's database" or "participant database"
     * @param database       the database's name (in Spring Boot the transaction manager's bean name, or 'tcc-log')
     * @param url            its JDBC URL without credentials
     * @param missingTables  the tables a query cannot see
     * @param schemaResource the class-path resource of the schema script for this database
     * @param detail         what the database said about the first missing table
     */
    public MissingTablesException(String role, String database, String url, List<String> missingTables, String schemaResource,
                                  String detail) {
        super("TCC tables " + missingTables + " are missing on " + role + " '" + database + "' [" + url + "]"
                + (detail == null ? "" : " (" + detail + ")") + ": every transaction would fail on them. Create them: turn"
                + " schema initialisation on (Spring Boot: tcc.jdbc.initialize-schema=always; plain Java:"
                + " TccRuntime.builder().initializeSchema(true)), or run the shipped script '" + schemaResource
                + "' (in tcc-runtime) with Flyway, Liquibase or by hand before the application starts");
        this.database = database;
        this.url = url;
        this.missingTables = List.copyOf(missingTables);
        this.schemaResource = schemaResource;
    }

    /** The database's name. */
    public String database() {
        return database;
    }

    /** Its JDBC URL without credentials. */
    public String url() {
        return url;
    }

    /** The tables that are missing. */
    public List<String> missingTables() {
        return missingTables;
    }

    /** The schema script that creates them, such as {@code META-INF/tcc/schema-postgresql.sql}. */
    public String schemaResource() {
        return schemaResource;
    }
}
