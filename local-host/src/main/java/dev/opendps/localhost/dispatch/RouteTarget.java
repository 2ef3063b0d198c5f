package dev.opendps.localhost.dispatch;

import dev.opendps.localhost.app.FunctionApp;
import dev.opendps.localhost.app.FunctionInvoker;
import dev.opendps.localhost.auth.FunctionKeys;

/** What a route leads to: one function of one app, with that app's keys. */
public record RouteTarget(FunctionApp app, FunctionInvoker function, FunctionKeys keys) {
}
