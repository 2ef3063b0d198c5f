package dev.opendps.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opendps.domain.IndividualEnrollment;
import dev.opendps.domain.port.InvalidContinuationTokenException;
import dev.opendps.domain.port.Page;
import dev.opendps.domain.port.Records;
import dev.opendps.domain.port.StoreException;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the SQLite adapter adds to the port contracts: its page sizes, its tokens, its indexes. */
class SqliteDocumentStoreTest {
    private static final String SCOPE = "0ne00000A1B";
    private static final String OTHER_SCOPE = "0ne00000C2D";

    @TempDir
    Path dataDir;
    private SqliteDatabase database;

    @BeforeEach
    void open() {
        database = SqliteDatabase.open(dataDir);
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void aListingWithoutAPageSizeGivesPagesOfOneHundred() {
        SqliteEnrollmentStore store = new SqliteEnrollmentStore(database);
        insertEnrollments(SCOPE, SqliteDocumentStore.DEFAULT_PAGE_SIZE + 1);

        Page<IndividualEnrollment> first = store.list(SCOPE, 0, null);
        Page<IndividualEnrollment> second = store.list(SCOPE, 0, first.continuationToken());

        assertThat(first.items()).hasSize(SqliteDocumentStore.DEFAULT_PAGE_SIZE);
        assertThat(second.items()).hasSize(1);
        assertThat(second.hasMore()).isFalse();
    }

    @Test
    void aListingAsksForAtMostOneThousand() {
        SqliteEnrollmentStore store = new SqliteEnrollmentStore(database);
        insertEnrollments(SCOPE, SqliteDocumentStore.MAX_PAGE_SIZE + 1);

        Page<IndividualEnrollment> first = store.list(SCOPE, Integer.MAX_VALUE, null);

        assertThat(first.items()).hasSize(SqliteDocumentStore.MAX_PAGE_SIZE);
        assertThat(first.hasMore()).isTrue();
    }

    @Test
    void aTokenOnlyContinuesTheListingThatMadeIt() {
        SqliteRegistrationStateStore store = new SqliteRegistrationStateStore(database);
        for (String id : List.of("a-1", "a-2", "a-3")) {
            store.create(SCOPE, Records.registrationState(id, "group-a"));
            store.create(OTHER_SCOPE, Records.registrationState(id, "group-a"));
        }
        String listToken = store.list(SCOPE, 1, null).continuationToken();
        String groupToken = store.listByEnrollmentGroup(SCOPE, "group-a", 1, null).continuationToken();

        assertThat(store.list(SCOPE, 1, listToken).items()).hasSize(1);
        assertThat(store.listByEnrollmentGroup(SCOPE, "GROUP-A", 1, groupToken).items()).hasSize(1);
        assertThatThrownBy(() -> store.list(OTHER_SCOPE, 1, listToken))
                .isInstanceOf(InvalidContinuationTokenException.class);
        assertThatThrownBy(() -> store.listByEnrollmentGroup(SCOPE, "group-a", 1, listToken))
                .isInstanceOf(InvalidContinuationTokenException.class);
        assertThatThrownBy(() -> store.listByEnrollmentGroup(SCOPE, "group-b", 1, groupToken))
                .isInstanceOf(InvalidContinuationTokenException.class);
        assertThatThrownBy(() -> new SqliteEnrollmentStore(database).list(SCOPE, 1, listToken))
                .isInstanceOf(InvalidContinuationTokenException.class);
    }

    @Test
    void aDocumentThatCannotBeDecodedFailsWithoutQuotingIt() {
        SqliteEnrollmentStore store = new SqliteEnrollmentStore(database);
        store.create(SCOPE, Records.enrollment("device-1"));
        database.write("corrupt a document", c -> {
            try (Statement statement = c.createStatement()) {
                return statement.executeUpdate("UPDATE documents SET document = '{\"primaryKey\": \"c2VjcmV0LWtleQ'");
            }
        });

        assertThatThrownBy(() -> store.find(SCOPE, "device-1"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("device-1")
                .hasMessageNotContaining("c2VjcmV0LWtleQ")
                .hasNoCause();
    }

    @Test
    void groupListingsAndTheExpiryCleanUpUseTheirIndexes() {
        assertThat(queryPlan("SELECT id_key FROM documents WHERE kind = 'registrationState' AND id_scope = 's'"
                + " AND secondary_key = 'g' AND id_key > 'a' ORDER BY id_key LIMIT 10"))
                .contains("documents_by_secondary_key").doesNotContain("TEMP B-TREE");
        assertThat(queryPlan("DELETE FROM documents WHERE kind = 'registrationOperation' AND expires_at < 5"))
                .contains("documents_by_expiry");
        assertThat(queryPlan("SELECT id_key FROM documents WHERE kind = 'enrollment' AND id_scope = 's'"
                + " AND id_key > 'a' ORDER BY id_key LIMIT 10"))
                .contains("documents_by_key").doesNotContain("TEMP B-TREE");
    }

    private void insertEnrollments(String idScope, int count) {
        SqliteEnrollmentStore store = new SqliteEnrollmentStore(database);
        for (int i = 0; i < count; i++) {
            store.create(idScope, Records.minimalEnrollment(String.format("device-%05d", i)));
        }
    }

    private String queryPlan(String sql) {
        return database.read("explain", c -> {
            List<String> steps = new ArrayList<>();
            try (Statement statement = c.createStatement();
                 ResultSet rows = statement.executeQuery("EXPLAIN QUERY PLAN " + sql)) {
                while (rows.next()) {
                    steps.add(rows.getString("detail"));
                }
            }
            return String.join("; ", steps);
        });
    }
}
