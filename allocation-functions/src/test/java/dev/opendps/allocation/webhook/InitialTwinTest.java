package dev.opendps.allocation.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opendps.allocation.config.ConfigJson;
import dev.opendps.allocation.config.InvalidDocumentException;
import org.junit.jupiter.api.Test;

class InitialTwinTest {
    private static InitialTwin twin(String json) {
        return InitialTwin.fromConfig(ConfigJson.parseObject(json, "twin"), "twin");
    }

    @Test
    void theTopTwinWinsFieldByFieldAndNestedObjectsMerge() {
        InitialTwin base = twin("""
                {"tags":{"floor":3,"site":{"city":"Oslo","building":"A"}},"properties":{"desired":{"interval":10}}}""");
        InitialTwin top = twin("""
                {"tags":{"site":{"building":"B"},"tenant":"x"},"properties":{"desired":{"mode":"eco"}}}""");

        InitialTwin merged = base.overlaidWith(top);

        assertThat(merged.toJson().toString()).isEqualTo("{\"tags\":{\"floor\":3,\"site\":{\"city\":\"Oslo\","
                + "\"building\":\"B\"},\"tenant\":\"x\"},\"properties\":{\"desired\":{\"interval\":10,\"mode\":\"eco\"}}}");
        assertThat(base.tags().toString()).isEqualTo("{\"floor\":3,\"site\":{\"city\":\"Oslo\",\"building\":\"A\"}}");
    }

    @Test
    void theEmptyTwinIsWrittenInTheDpsShape() {
        assertThat(InitialTwin.empty().toJson().toString()).isEqualTo("{\"tags\":{},\"properties\":{\"desired\":{}}}");
    }

    @Test
    void aConfiguredTwinOfTheWrongShapeIsAConfigurationError() {
        assertThatThrownBy(() -> twin("{\"tags\":[1]}"))
                .isInstanceOf(InvalidDocumentException.class).hasMessage("twin.tags must be a JSON object");
        assertThatThrownBy(() -> twin("{\"properties\":{\"desired\":5}}"))
                .hasMessage("twin.properties.desired must be a JSON object");
    }
}
