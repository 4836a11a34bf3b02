package org.limes.gateway.rules;

/**
 * The outcome of a rules reload, for the log, the admin API and tests.
 *
 * @param applied true when the new rules are in force on every shard
 * @param message what happened: the rule ids now in force, or why the file was rejected
 *                (the previous rules then stay in force)
 */
public record RulesReload(boolean applied, String message) {
}
