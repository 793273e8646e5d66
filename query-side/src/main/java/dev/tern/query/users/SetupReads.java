package dev.tern.query.users;

/** What the first-run setup (POST /api/setup, the start-up summary) reads. */
public interface SetupReads {
    /** True while no user exists anywhere (the instance still needs POST /api/setup). */
    boolean setupRequired();
}
