package dev.opendps.wire;

/** Who a record is written for: API clients never see stored certificates; the store keeps everything. */
public enum View {
    API,
    STORAGE
}
