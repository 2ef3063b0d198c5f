package dev.opendps.domain.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opendps.domain.DeviceRegistrationState;
import dev.opendps.domain.RegistrationStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What every {@link RegistrationStateStore} promises; a backend's test supplies the store. */
public abstract class RegistrationStateStoreContract
        extends VersionedStoreContract<DeviceRegistrationState, RegistrationStateStore> {

    @Override
    protected DeviceRegistrationState newRecord(String id) {
        return Records.registrationState(id, "group-1");
    }

    @Override
    protected DeviceRegistrationState mutate(DeviceRegistrationState state) {
        return Records.withAssignment(state, "hub-c.azure-devices.net", RegistrationStatus.FAILED);
    }

    @Override
    protected int counter(DeviceRegistrationState record) {
        return Records.payloadCounter(record);
    }

    @Override
    protected DeviceRegistrationState withCounter(DeviceRegistrationState record, int value) {
        return Records.withPayloadCounter(record, value);
    }

    private void createInGroup(String idScope, String groupId, String... registrationIds) {
        for (String id : registrationIds) {
            store.create(idScope, Records.registrationState(id, groupId));
        }
    }

    private List<Page<DeviceRegistrationState>> groupPages(String idScope, String groupId, int maxItems) {
        return pages((max, token) -> store.listByEnrollmentGroup(idScope, groupId, max, token), maxItems);
    }

    private List<String> groupIds(String idScope, String groupId) {
        return ids(groupPages(idScope, groupId, 0).stream().flatMap(page -> page.items().stream()).toList());
    }

    @Test
    void listByEnrollmentGroupShowsOnlyThatGroupsRegistrationsInPages() {
        createInGroup(scope, "group-a", "a-3", "a-1", "a-5", "a-2", "a-4");
        createInGroup(scope, "group-b", "b-1", "b-2");
        createInGroup(scope, null, "individual-1", "individual-2");

        List<Page<DeviceRegistrationState>> pages = groupPages(scope, "group-a", 2);

        assertThat(pages).extracting(page -> page.items().size()).containsExactly(2, 2, 1);
        List<DeviceRegistrationState> listed = pages.stream().flatMap(page -> page.items().stream()).toList();
        assertThat(ids(listed)).containsExactlyInAnyOrder("a-1", "a-2", "a-3", "a-4", "a-5");
        assertThat(listed).allSatisfy(state -> assertThat(state.enrollmentGroupId()).isEqualTo("group-a"));
    }

    @Test
    void listByEnrollmentGroupIgnoresTheCaseOfTheGroupId() {
        createInGroup(scope, "Group-A", "a-1", "a-2");

        assertThat(groupIds(scope, "group-a")).containsExactlyInAnyOrder("a-1", "a-2");
        assertThat(groupIds(scope, "GROUP-A")).containsExactlyInAnyOrder("a-1", "a-2");
    }

    @Test
    void listByEnrollmentGroupShowsOnlyTheRegistrationsOfItsScope() {
        createInGroup(scope, "group-a", "a-1", "a-2");
        createInGroup(otherScope, "group-a", "other-1");

        assertThat(groupIds(scope, "group-a")).containsExactlyInAnyOrder("a-1", "a-2");
        assertThat(groupIds(otherScope, "group-a")).containsExactly("other-1");
    }

    @Test
    void listByEnrollmentGroupOfAGroupWithoutRegistrationsIsOneEmptyPage() {
        createInGroup(scope, "group-a", "a-1");

        Page<DeviceRegistrationState> page = store.listByEnrollmentGroup(scope, "group-z", 10, null);

        assertThat(page.items()).isEmpty();
        assertThat(page.continuationToken()).isNull();
    }

    @Test
    void replacingTheGroupOfARegistrationMovesItBetweenListings() {
        createInGroup(scope, "group-a", "a-1", "a-2");
        DeviceRegistrationState moving = store.find(scope, "a-2").orElseThrow();

        store.replace(scope, Records.withEnrollmentGroupId(moving, "group-b"), moving.etag());

        assertThat(groupIds(scope, "group-a")).containsExactly("a-1");
        assertThat(groupIds(scope, "group-b")).containsExactly("a-2");
    }

    @Test
    void deletedRegistrationsLeaveTheGroupListing() {
        createInGroup(scope, "group-a", "a-1", "a-2");

        store.delete(scope, "a-1", null);

        assertThat(groupIds(scope, "group-a")).containsExactly("a-2");
    }

    @Test
    void listByEnrollmentGroupRejectsATokenItDidNotMake() {
        createInGroup(scope, "group-a", "a-1", "a-2", "a-3");

        assertThatThrownBy(() -> store.listByEnrollmentGroup(scope, "group-a", 2, "garbage"))
                .isInstanceOf(InvalidContinuationTokenException.class);
    }
}
