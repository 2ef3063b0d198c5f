package dev.opendps.domain.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opendps.domain.AccessRight;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.SharedAccessPolicy;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link InstanceStore} promises; a backend's test supplies the store. Each test makes up its own
 * host names and ID scopes, so a backend may keep data between tests.
 */
public abstract class InstanceStoreContract {
    protected InstanceStore store;
    private String hostName;
    private String idScope;

    /** The store under test; called before each test. */
    protected abstract InstanceStore createStore() throws Exception;

    /** Releases what {@link #createStore} made; called after each test. */
    protected void releaseStore() throws Exception {
    }

    @BeforeEach
    void openStore() throws Exception {
        String unique = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        hostName = "tenant-" + unique + ".azure-devices-provisioning.net";
        idScope = VersionedStoreContract.newScope();
        store = createStore();
    }

    @AfterEach
    void closeStore() throws Exception {
        releaseStore();
    }

    private ProvisioningInstance newInstance() {
        return Records.instance(hostName, idScope);
    }

    @Test
    void createdInstanceIsFoundByHostNameAndByIdScopeWithEveryField() {
        ProvisioningInstance instance = newInstance();

        ProvisioningInstance created = store.create(instance);

        assertThat(created.etag()).isNotBlank();
        assertThat(created).isEqualTo(instance.withEtag(created.etag()));
        assertThat(store.findByHostName(hostName)).contains(created);
        assertThat(store.findByIdScope(idScope)).contains(created);
    }

    @Test
    void findIgnoresTheCaseOfHostNameAndIdScope() {
        ProvisioningInstance created = store.create(newInstance());

        assertThat(store.findByHostName(hostName.toUpperCase(Locale.ROOT))).contains(created);
        assertThat(store.findByIdScope(idScope.toLowerCase(Locale.ROOT))).contains(created);
    }

    @Test
    void findOfAnUnknownInstanceIsEmpty() {
        store.create(newInstance());

        assertThat(store.findByHostName("unknown-" + hostName)).isEmpty();
        assertThat(store.findByIdScope(VersionedStoreContract.newScope())).isEmpty();
    }

    @Test
    void createWithATakenIdScopeFails() {
        ProvisioningInstance original = store.create(newInstance());

        assertThatThrownBy(() -> store.create(Records.instance("other-" + hostName, idScope.toLowerCase(Locale.ROOT))))
                .isInstanceOf(RecordAlreadyExistsException.class);
        assertThat(store.findByIdScope(idScope)).contains(original);
        assertThat(store.findByHostName("other-" + hostName)).isEmpty();
    }

    @Test
    void createWithATakenHostNameFails() {
        ProvisioningInstance original = store.create(newInstance());
        String otherScope = VersionedStoreContract.newScope();

        assertThatThrownBy(() -> store.create(Records.instance(hostName.toUpperCase(Locale.ROOT), otherScope)))
                .isInstanceOf(RecordAlreadyExistsException.class);
        assertThat(store.findByHostName(hostName)).contains(original);
        assertThat(store.findByIdScope(otherScope)).isEmpty();
    }

    @Test
    void replaceWithTheCurrentEtagStoresTheInstanceUnderANewEtag() {
        ProvisioningInstance created = store.create(newInstance());
        ProvisioningInstance changed = withOnePolicy(created, "rotated");

        ProvisioningInstance replaced = store.replace(changed, created.etag());

        assertThat(replaced.etag()).isNotBlank().isNotEqualTo(created.etag());
        assertThat(replaced).isEqualTo(changed.withEtag(replaced.etag()));
        assertThat(store.findByIdScope(idScope)).contains(replaced);
        assertThat(store.findByHostName(hostName)).contains(replaced);
    }

    @Test
    void replaceWithAStaleEtagFailsAndChangesNothing() {
        ProvisioningInstance created = store.create(newInstance());
        ProvisioningInstance current = store.replace(withOnePolicy(created, "first"), created.etag());

        assertThatThrownBy(() -> store.replace(withOnePolicy(created, "second"), created.etag()))
                .isInstanceOf(EtagMismatchException.class);
        assertThat(store.findByIdScope(idScope)).contains(current);
    }

    @Test
    void replaceWithoutAnEtagReplacesWhateverIsStored() {
        ProvisioningInstance created = store.create(newInstance());
        store.replace(withOnePolicy(created, "first"), created.etag());

        ProvisioningInstance replaced = store.replace(withOnePolicy(created, "second"), null);

        assertThat(store.findByIdScope(idScope)).contains(replaced);
        assertThat(replaced.policies()).extracting(SharedAccessPolicy::primaryKey).containsExactly("second");
    }

    @Test
    void replaceOfAnUnknownInstanceFails() {
        assertThatThrownBy(() -> store.replace(newInstance(), null)).isInstanceOf(RecordNotFoundException.class);
        assertThatThrownBy(() -> store.replace(newInstance(), "an-etag")).isInstanceOf(RecordNotFoundException.class);
        assertThat(store.findByIdScope(idScope)).isEmpty();
    }

    @Test
    void replaceCanChangeTheHostName() {
        ProvisioningInstance created = store.create(newInstance());
        String newHostName = "renamed-" + hostName;

        ProvisioningInstance replaced = store.replace(Records.withHostName(created, newHostName), created.etag());

        assertThat(store.findByHostName(newHostName)).contains(replaced);
        assertThat(store.findByHostName(hostName)).isEmpty();
    }

    @Test
    void listShowsEveryInstance() {
        ProvisioningInstance first = store.create(newInstance());
        ProvisioningInstance second = store.create(
                Records.instance("second-" + hostName, VersionedStoreContract.newScope()));

        assertThat(store.list()).contains(first, second);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentCreatesOfOneHostNameLetExactlyOneSucceed() throws Exception {
        AtomicInteger attempt = new AtomicInteger();
        List<Object> outcomes = VersionedStoreContract.runConcurrently(VersionedStoreContract.WRITERS,
                () -> store.create(Records.instance(attempt.incrementAndGet() % 2 == 0
                        ? hostName : hostName.toUpperCase(Locale.ROOT), VersionedStoreContract.newScope())));

        List<Object> winners = outcomes.stream().filter(o -> !(o instanceof Throwable)).toList();
        assertThat(winners).hasSize(1);
        assertThat(outcomes).filteredOn(o -> o instanceof Throwable)
                .allSatisfy(o -> assertThat(o).isInstanceOf(RecordAlreadyExistsException.class));
        assertThat(store.findByHostName(hostName)).contains((ProvisioningInstance) winners.get(0));
    }

    private static ProvisioningInstance withOnePolicy(ProvisioningInstance instance, String primaryKey) {
        return Records.withPolicies(instance, List.of(new SharedAccessPolicy(SharedAccessPolicy.OWNER, primaryKey,
                primaryKey + "-secondary", Set.of(AccessRight.ServiceConfig, AccessRight.EnrollmentWrite))));
    }
}
