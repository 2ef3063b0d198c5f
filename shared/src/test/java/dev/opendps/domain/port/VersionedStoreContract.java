package dev.opendps.domain.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opendps.domain.Versioned;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every {@link VersionedStore} promises, whatever the record kind and the backend. A per-port suite
 * extends this with its records and its own promises; a backend's test extends the per-port suite and only
 * supplies the store.
 *
 * <p>Each test works in ID scopes of its own, so a backend may keep data between tests.
 */
public abstract class VersionedStoreContract<T extends Versioned<T>, S extends VersionedStore<T>> {
    protected static final int WRITERS = 8;
    protected static final int INCREMENTS_PER_WRITER = 25;

    protected S store;
    protected String scope;
    protected String otherScope;

    /** The store under test; called before each test. */
    protected abstract S createStore() throws Exception;

    /** Releases what {@link #createStore} made; called after each test. */
    protected void releaseStore() throws Exception {
    }

    /** A fully populated record with this id, not yet stored. */
    protected abstract T newRecord(String id);

    /** The record with a visible change to a field other than its id and version. */
    protected abstract T mutate(T record);

    /** The counter the concurrency test keeps in a record's JSON. */
    protected abstract int counter(T record);

    protected abstract T withCounter(T record, int value);

    @BeforeEach
    void openStore() throws Exception {
        scope = newScope();
        otherScope = newScope();
        store = createStore();
    }

    @AfterEach
    void closeStore() throws Exception {
        releaseStore();
    }

    protected static String newScope() {
        return "0ne" + UUID.randomUUID().toString().replace("-", "").substring(0, 8).toUpperCase(Locale.ROOT);
    }

    // --- create and find --------------------------------------------------------------------------------

    @Test
    void createdRecordIsFoundWithEveryFieldAndAnEtag() {
        T record = newRecord("device-1");

        T created = store.create(scope, record);

        assertThat(created.etag()).isNotBlank();
        assertThat(created).isEqualTo(record.withVersion(record.version().withEtag(created.etag())));
        assertThat(store.find(scope, "device-1")).contains(created);
    }

    @Test
    void findIgnoresTheCaseOfTheIdAndKeepsTheIdAsWritten() {
        T created = store.create(scope, newRecord("Device-Mixed.Case"));

        assertThat(store.find(scope, "device-mixed.case")).contains(created);
        assertThat(store.find(scope, "DEVICE-MIXED.CASE")).map(Versioned::id).contains("Device-Mixed.Case");
    }

    @Test
    void findOfAnUnknownIdIsEmpty() {
        store.create(scope, newRecord("device-1"));

        assertThat(store.find(scope, "device-2")).isEmpty();
    }

    @Test
    void everyCreateGivesADifferentEtag() {
        T first = store.create(scope, newRecord("device-1"));
        T second = store.create(scope, newRecord("device-2"));

        assertThat(first.etag()).isNotEqualTo(second.etag());
    }

    @Test
    void createOfATakenIdFailsAndKeepsTheStoredRecord() {
        T original = store.create(scope, newRecord("device-1"));

        assertThatThrownBy(() -> store.create(scope, mutate(newRecord("device-1"))))
                .isInstanceOf(RecordAlreadyExistsException.class);
        assertThat(store.find(scope, "device-1")).contains(original);
    }

    @Test
    void createOfAnIdDifferingOnlyInCaseFails() {
        T original = store.create(scope, newRecord("device-1"));

        assertThatThrownBy(() -> store.create(scope, newRecord("DEVICE-1")))
                .isInstanceOf(RecordAlreadyExistsException.class);
        assertThat(store.find(scope, "device-1")).contains(original);
    }

    @Test
    void aDeletedIdCanBeCreatedAgain() {
        T first = store.create(scope, newRecord("device-1"));
        store.delete(scope, "device-1", first.etag());

        T second = store.create(scope, newRecord("device-1"));

        assertThat(second.etag()).isNotEqualTo(first.etag());
        assertThat(store.find(scope, "device-1")).contains(second);
    }

    // --- replace ----------------------------------------------------------------------------------------

    @Test
    void replaceWithTheCurrentEtagStoresTheRecordUnderANewEtag() {
        T created = store.create(scope, newRecord("device-1"));
        T changed = mutate(created);

        T replaced = store.replace(scope, changed, created.etag());

        assertThat(replaced.etag()).isNotBlank().isNotEqualTo(created.etag());
        assertThat(replaced).isEqualTo(changed.withVersion(changed.version().withEtag(replaced.etag())));
        assertThat(store.find(scope, "device-1")).contains(replaced);
    }

    @Test
    void replaceWithAStaleEtagFailsAndChangesNothing() {
        T created = store.create(scope, newRecord("device-1"));
        T current = store.replace(scope, mutate(created), created.etag());

        assertThatThrownBy(() -> store.replace(scope, withCounter(created, 99), created.etag()))
                .isInstanceOf(EtagMismatchException.class);
        assertThat(store.find(scope, "device-1")).contains(current);
    }

    @Test
    void replaceWithoutAnEtagReplacesWhateverIsStored() {
        T created = store.create(scope, newRecord("device-1"));
        store.replace(scope, mutate(created), created.etag());

        T replaced = store.replace(scope, withCounter(created, 7), null);

        assertThat(counter(replaced)).isEqualTo(7);
        assertThat(store.find(scope, "device-1")).contains(replaced);
    }

    @Test
    void replaceFindsTheRecordWhateverTheCaseOfItsId() {
        T created = store.create(scope, newRecord("device-1"));
        T upperCase = newRecord("DEVICE-1").withVersion(created.version());

        T replaced = store.replace(scope, upperCase, created.etag());

        assertThat(store.find(scope, "device-1")).contains(replaced);
    }

    @ParameterizedTest(name = "ifMatch = {0}")
    @ValueSource(strings = {"", "an-etag"})
    void replaceOfAMissingRecordFails(String etag) {
        String ifMatch = etag.isEmpty() ? null : etag;

        assertThatThrownBy(() -> store.replace(scope, newRecord("device-1"), ifMatch))
                .isInstanceOf(RecordNotFoundException.class);
        assertThat(store.find(scope, "device-1")).isEmpty();
    }

    // --- delete -----------------------------------------------------------------------------------------

    @Test
    void deleteWithTheCurrentEtagRemovesTheRecord() {
        T created = store.create(scope, newRecord("device-1"));

        store.delete(scope, "device-1", created.etag());

        assertThat(store.find(scope, "device-1")).isEmpty();
    }

    @Test
    void deleteWithAStaleEtagFailsAndKeepsTheRecord() {
        T created = store.create(scope, newRecord("device-1"));
        T current = store.replace(scope, mutate(created), created.etag());

        assertThatThrownBy(() -> store.delete(scope, "device-1", created.etag()))
                .isInstanceOf(EtagMismatchException.class);
        assertThat(store.find(scope, "device-1")).contains(current);
    }

    @Test
    void deleteWithoutAnEtagRemovesWhateverIsStored() {
        T created = store.create(scope, newRecord("device-1"));
        store.replace(scope, mutate(created), created.etag());

        store.delete(scope, "device-1", null);

        assertThat(store.find(scope, "device-1")).isEmpty();
    }

    @Test
    void deleteIgnoresTheCaseOfTheId() {
        T created = store.create(scope, newRecord("device-1"));

        store.delete(scope, "Device-1", created.etag());

        assertThat(store.find(scope, "device-1")).isEmpty();
    }

    @ParameterizedTest(name = "ifMatch = {0}")
    @ValueSource(strings = {"", "an-etag"})
    void deleteOfAMissingRecordFails(String etag) {
        String ifMatch = etag.isEmpty() ? null : etag;

        assertThatThrownBy(() -> store.delete(scope, "device-1", ifMatch))
                .isInstanceOf(RecordNotFoundException.class);
    }

    // --- ID scopes --------------------------------------------------------------------------------------

    @Test
    void theSameIdInTwoScopesIsTwoRecords() {
        T mine = store.create(scope, newRecord("device-1"));
        T theirs = store.create(otherScope, withCounter(newRecord("device-1"), 5));

        T replaced = store.replace(scope, mutate(mine), mine.etag());

        assertThat(store.find(scope, "device-1")).contains(replaced);
        assertThat(store.find(otherScope, "device-1")).contains(theirs);
        store.delete(otherScope, "device-1", theirs.etag());
        assertThat(store.find(scope, "device-1")).contains(replaced);
    }

    @Test
    void aRecordIsNotFoundThroughAnotherScope() {
        T mine = store.create(scope, newRecord("device-1"));

        assertThat(store.find(otherScope, "device-1")).isEmpty();
        assertThatThrownBy(() -> store.replace(otherScope, mine, mine.etag()))
                .isInstanceOf(RecordNotFoundException.class);
        assertThatThrownBy(() -> store.delete(otherScope, "device-1", null))
                .isInstanceOf(RecordNotFoundException.class);
    }

    @Test
    void listingShowsOnlyTheRecordsOfItsScope() {
        createAll(scope, "a-1", "a-2", "a-3");
        createAll(otherScope, "b-1", "b-2");

        assertThat(ids(walk(scope, 0))).containsExactlyInAnyOrder("a-1", "a-2", "a-3");
        assertThat(ids(walk(otherScope, 0))).containsExactlyInAnyOrder("b-1", "b-2");
    }

    // --- listing ----------------------------------------------------------------------------------------

    @Test
    void sevenRecordsInPagesOfThreeComeAsThreeThreeOne() {
        List<T> created = createAll(scope, "d-5", "d-1", "D-7", "d-3", "d-2", "d-6", "d-4");

        List<Page<T>> pages = pages((max, token) -> store.list(scope, max, token), 3);

        assertThat(pages).extracting(page -> page.items().size()).containsExactly(3, 3, 1);
        assertThat(pages.get(2).continuationToken()).isNull();
        List<T> listed = pages.stream().flatMap(page -> page.items().stream()).toList();
        assertThat(listed).containsExactlyInAnyOrderElementsOf(created);
    }

    @Test
    void pagesComeInTheSameOrderEveryTime() {
        createAll(scope, "d-5", "d-1", "d-7", "d-3", "d-2", "d-6", "d-4");

        assertThat(ids(walk(scope, 3))).isEqualTo(ids(walk(scope, 3))).isEqualTo(ids(walk(scope, 2)));
    }

    @Test
    void aFullLastPageHasNoContinuationToken() {
        createAll(scope, "d-1", "d-2", "d-3", "d-4", "d-5", "d-6");

        Page<T> first = store.list(scope, 3, null);
        Page<T> last = store.list(scope, 3, first.continuationToken());

        assertThat(first.hasMore()).isTrue();
        assertThat(last.items()).hasSize(3);
        assertThat(last.hasMore()).isFalse();
    }

    @Test
    void listingAnEmptyScopeGivesOneEmptyPage() {
        Page<T> page = store.list(scope, 10, null);

        assertThat(page.items()).isEmpty();
        assertThat(page.continuationToken()).isNull();
    }

    @ParameterizedTest(name = "maxItems = {0}")
    @ValueSource(ints = {0, -1})
    void listingWithoutAPositivePageSizeUsesTheDefault(int maxItems) {
        createAll(scope, "d-1", "d-2", "d-3", "d-4", "d-5");

        Page<T> page = store.list(scope, maxItems, null);

        assertThat(page.items()).isNotEmpty();
        assertThat(ids(walk(scope, maxItems))).containsExactlyInAnyOrder("d-1", "d-2", "d-3", "d-4", "d-5");
    }

    @ParameterizedTest(name = "token = {0}")
    @ValueSource(strings = {"garbage", "%%%not base64%%%", "AAAA", "eyJsYXN0IjoiZC0xIn0", "-_-_"})
    void listingRejectsATokenItDidNotMake(String token) {
        createAll(scope, "d-1", "d-2", "d-3");

        assertThatThrownBy(() -> store.list(scope, 2, token)).isInstanceOf(InvalidContinuationTokenException.class);
    }

    // --- concurrency ------------------------------------------------------------------------------------

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentReadModifyReplaceLosesNoUpdate() throws Exception {
        store.create(scope, withCounter(newRecord("counter"), 0));
        AtomicInteger increments = new AtomicInteger();

        List<Object> outcomes = runConcurrently(WRITERS, () -> {
            for (int i = 0; i < INCREMENTS_PER_WRITER; i++) {
                while (true) {
                    T current = store.find(scope, "counter").orElseThrow();
                    try {
                        store.replace(scope, withCounter(current, counter(current) + 1), current.etag());
                        increments.incrementAndGet();
                        break;
                    } catch (EtagMismatchException lostTheRace) {
                        // another writer got there first: read again and retry
                    }
                }
            }
            return null;
        });

        assertThat(outcomes).containsOnlyNulls();
        assertThat(increments.get()).isEqualTo(WRITERS * INCREMENTS_PER_WRITER);
        assertThat(counter(store.find(scope, "counter").orElseThrow())).isEqualTo(increments.get());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentCreatesOfOneIdLetExactlyOneSucceed() throws Exception {
        AtomicInteger attempt = new AtomicInteger();
        List<Object> outcomes = runConcurrently(WRITERS, () -> {
            int n = attempt.incrementAndGet();
            // Alternate the case: the race is on the case-insensitive id.
            return store.create(scope, withCounter(newRecord(n % 2 == 0 ? "race" : "RACE"), n));
        });

        List<Object> winners = outcomes.stream().filter(o -> !(o instanceof Throwable)).toList();
        assertThat(winners).hasSize(1);
        assertThat(outcomes).filteredOn(o -> o instanceof Throwable)
                .allSatisfy(o -> assertThat(o).isInstanceOf(RecordAlreadyExistsException.class))
                .hasSize(WRITERS - 1);
        @SuppressWarnings("unchecked")
        T winner = (T) winners.get(0);
        assertThat(store.find(scope, "race")).contains(winner);
    }

    // --- helpers for the per-port suites ----------------------------------------------------------------

    protected List<T> createAll(String idScope, String... ids) {
        List<T> created = new ArrayList<>();
        for (String id : ids) {
            created.add(store.create(idScope, newRecord(id)));
        }
        return created;
    }

    protected List<T> walk(String idScope, int maxItems) {
        return pages((max, token) -> store.list(idScope, max, token), maxItems).stream()
                .flatMap(page -> page.items().stream()).toList();
    }

    /**
     * Every page of a listing, following continuation tokens; checks that no record comes twice and that the
     * walk ends.
     */
    protected static <R extends Versioned<R>> List<Page<R>> pages(BiFunction<Integer, String, Page<R>> lister,
                                                                   int maxItems) {
        List<Page<R>> pages = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String token = null;
        do {
            Page<R> page = lister.apply(maxItems, token);
            for (R item : page.items()) {
                assertThat(seen.add(item.id().toLowerCase(Locale.ROOT))).as("listed twice: %s", item.id()).isTrue();
            }
            pages.add(page);
            assertThat(pages.size()).as("pages").isLessThan(10_000);
            token = page.continuationToken();
        } while (token != null);
        return pages;
    }

    protected static List<String> ids(List<? extends Versioned<?>> records) {
        return records.stream().map(Versioned::id).toList();
    }

    /** Starts {@code threads} tasks together; each outcome is the task's result or what it threw. */
    protected static List<Object> runConcurrently(int threads, Callable<?> task) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Object>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(executor.submit(() -> {
                    start.await();
                    try {
                        return task.call();
                    } catch (StoreException e) {
                        return e;
                    }
                }));
            }
            start.countDown();
            List<Object> outcomes = new ArrayList<>();
            for (Future<Object> future : futures) {
                outcomes.add(future.get(50, TimeUnit.SECONDS));
            }
            return outcomes;
        } finally {
            executor.shutdownNow();
        }
    }
}
