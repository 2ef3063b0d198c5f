package dev.opendps.adapters;

/**
 * What one pass over a store's documents did ({@code rewriteDocuments} of the embedded and the Cosmos DB store):
 * documents read, documents rewritten, and documents left because they were written (or deleted) between the
 * pass's read and its write, which keep what their writer wrote.
 */
public record DocumentRewrite(long scanned, long rewritten, long changedMeanwhile) {
}
