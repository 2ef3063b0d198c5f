package dev.opendps.localhost;

import dev.opendps.localhost.auth.AuthLevel;

import java.util.Set;

/**
 * One served function.
 *
 * @param path    the route template including the prefix, with a leading slash, e.g. {@code /api/items/{id}}
 * @param methods upper-case methods; empty = all
 */
public record HostedFunction(String name, String entryPoint, String path, Set<String> methods, AuthLevel authLevel) {
}
