package dev.form.bench.service;

/**
 * One client of a load run: its pair {@code k} adds a disk and removes it again. Each call either
 * completes as it should or throws, with what went wrong.
 */
interface PairClient extends AutoCloseable {
    void add(int k) throws Exception;

    void remove(int k) throws Exception;

    @Override
    void close();
}
