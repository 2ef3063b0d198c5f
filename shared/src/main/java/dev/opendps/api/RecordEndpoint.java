package dev.opendps.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.domain.Attestation;
import dev.opendps.domain.Versioned;
import dev.opendps.service.EnrollmentRecords;
import java.util.function.Function;

/**
 * What differs between the individual-enrollment and enrollment-group endpoints: the JSON mapping and
 * the names the wire uses ({@code x-ms-item-type}, the bulk list field, the id field).
 */
record RecordEndpoint<T extends Versioned<T>>(
        EnrollmentRecords<T> records,
        Function<JsonNode, T> reader,
        Function<T, ObjectNode> writer,
        Function<T, Attestation> attestation,
        String itemType,
        String bulkField,
        String idField) {
}
