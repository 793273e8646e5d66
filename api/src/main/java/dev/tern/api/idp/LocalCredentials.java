package dev.tern.api.idp;

import dev.tern.events.values.UserRole;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/**
 * Local users' passwords and TOTP secrets ({@code idp_local_credential}, Flyway V130). Passwords are kept only as
 * Argon2id hashes; TOTP secrets are AES-GCM encrypted under a key in an owner-only file of the data dir
 * ({@code idp-totp.key}), so a copy of the database alone does not give the second factor away. Nothing here is
 * ever logged; {@link LocalUser#toString()} leaves the secrets out.
 */
public class LocalCredentials {
    public static final int MIN_PASSWORD_LENGTH = 8;
    /** Argon2 hashes whatever it is given; a megabyte "password" would cost every attempt that much work. */
    public static final int MAX_PASSWORD_LENGTH = 128;
    static final String TOTP_KEY_FILE = "idp-totp.key";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final Argon2PasswordEncoder passwords = Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();
    private final SecretKeySpec totpKey;

    LocalCredentials(JdbcTemplate jdbc, Clock clock, Path dataDir) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.totpKey = new SecretKeySpec(ownerOnlyKey(dataDir.resolve(TOTP_KEY_FILE)), "AES");
    }

    /** A local user who can sign in: who, their hash, and their confirmed TOTP secret if any. */
    record LocalUser(String userId, String accountId, String login, String name, String email, UserRole role,
                     boolean blocked, String passwordHash, byte[] totpSecret, boolean totpConfirmed) {
        boolean totpRequired() {
            return totpSecret != null && totpConfirmed;
        }

        @Override
        public String toString() {
            return "LocalUser[userId=" + userId + ", login=" + login + "]";
        }
    }

    /**
     * Why a new password cannot be used, or null. The rule is length only (8 to 128 characters): long passphrases
     * beat composition rules, and the setup call of NetBird's own examples has no digit or capital letter.
     */
    public static String passwordProblem(String password) {
        if (password == null || password.isEmpty()) {
            return "password is required";
        }
        int length = password.codePointCount(0, password.length());
        if (length < MIN_PASSWORD_LENGTH) {
            return "password must have at least " + MIN_PASSWORD_LENGTH + " characters";
        }
        if (length > MAX_PASSWORD_LENGTH) {
            return "password must have at most " + MAX_PASSWORD_LENGTH + " characters";
        }
        return null;
    }

    public static String normalizedLogin(String email) {
        return email.trim().toLowerCase(Locale.ROOT);
    }

    /** Hashing is slow on purpose; callers hash before taking any lock. */
    public String hash(String password) {
        return passwords.encode(password);
    }

    boolean matches(String password, String hash) {
        return passwords.matches(password, hash);
    }

    /** Sets (or replaces) a user's password hash; a new password keeps the user's TOTP enrolment. */
    public void setPasswordHash(String accountId, String userId, String email, String passwordHash) {
        // A deleted user's row would hold the login for ever; it signs nobody in (the join below finds no user).
        jdbc.update("DELETE FROM idp_local_credential c WHERE c.login = ? AND c.user_id <> ? "
                + "AND NOT EXISTS (SELECT 1 FROM rm_users u WHERE u.id = c.user_id)", normalizedLogin(email), userId);
        jdbc.update("""
                INSERT INTO idp_local_credential (user_id, account_id, login, password_hash, updated_at)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash,
                    login = EXCLUDED.login, updated_at = EXCLUDED.updated_at""",
                userId, accountId, normalizedLogin(email), passwordHash, Timestamp.from(clock.instant()));
    }

    /** Whether the login is already taken by a local user. */
    public boolean loginTaken(String email) {
        return Boolean.TRUE.equals(jdbc.queryForObject(
                "SELECT EXISTS (SELECT 1 FROM idp_local_credential WHERE login = ?)", Boolean.class,
                normalizedLogin(email)));
    }

    /** The local user signing in with this login (their e-mail), if the user still exists. */
    Optional<LocalUser> byLogin(String login) {
        return one("c.login = ?", normalizedLogin(login));
    }

    Optional<LocalUser> byUserId(String userId) {
        return one("c.user_id = ?", userId);
    }

    private Optional<LocalUser> one(String where, String value) {
        return jdbc.query("""
                SELECT c.user_id, c.account_id, c.login, u.name, u.email, u.role, u.blocked, c.password_hash,
                       c.totp_secret, c.totp_confirmed
                FROM idp_local_credential c JOIN rm_users u ON u.id = c.user_id AND u.account_id = c.account_id
                """ + " WHERE " + where, (rs, i) -> new LocalUser(rs.getString(1), rs.getString(2), rs.getString(3),
                rs.getString(4), rs.getString(5), UserRole.valueOf(rs.getString(6)), rs.getBoolean(7), rs.getString(8),
                decrypt(rs.getBytes(9)), rs.getBoolean(10)), value).stream().findFirst();
    }

    /** Whether the password is the user's current one (false for a user without a local password). */
    public boolean passwordMatches(String userId, String password) {
        if (password == null || password.length() > MAX_PASSWORD_LENGTH) {
            return false;
        }
        return byUserId(userId).map(user -> matches(password, user.passwordHash())).orElse(false);
    }

    /** Whether the user signs in with a password here (a local user), and so may enrol a second factor. */
    public boolean hasPassword(String userId) {
        return byUserId(userId).isPresent();
    }

    /** Starts TOTP enrolment and returns the new secret as base32, for the person's authenticator app. */
    public String enrolTotp(String userId) {
        return Totp.base32(beginTotp(userId));
    }

    /** Confirms the enrolment with a code of the new secret; from then on sign-in asks for a code. */
    public boolean confirmTotp(String userId, String code) {
        Optional<LocalUser> user = byUserId(userId);
        if (user.isEmpty() || user.get().totpSecret() == null
                || !Totp.verify(user.get().totpSecret(), code, clock.instant())) {
            return false;
        }
        confirmTotp(userId);
        return true;
    }

    /** Starts (or restarts) TOTP enrolment: a new secret, not required at sign-in until confirmed. */
    byte[] beginTotp(String userId) {
        byte[] secret = Totp.newSecret();
        int updated = jdbc.update("UPDATE idp_local_credential SET totp_secret = ?, totp_confirmed = FALSE, "
                + "updated_at = ? WHERE user_id = ?", encrypt(secret), Timestamp.from(clock.instant()), userId);
        if (updated == 0) {
            throw new IllegalStateException("no local credential for the user");
        }
        return secret;
    }

    void confirmTotp(String userId) {
        jdbc.update("UPDATE idp_local_credential SET totp_confirmed = TRUE, updated_at = ? WHERE user_id = ?",
                Timestamp.from(clock.instant()), userId);
    }

    void removeTotp(String userId) {
        jdbc.update("UPDATE idp_local_credential SET totp_secret = NULL, totp_confirmed = FALSE, updated_at = ? "
                + "WHERE user_id = ?", Timestamp.from(clock.instant()), userId);
    }

    private byte[] encrypt(byte[] plain) {
        try {
            byte[] nonce = new byte[12];
            RANDOM.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, totpKey, new GCMParameterSpec(128, nonce));
            byte[] sealed = cipher.doFinal(plain);
            return ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable", e);
        }
    }

    private byte[] decrypt(byte[] stored) {
        if (stored == null) {
            return null;
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, totpKey, new GCMParameterSpec(128, stored, 0, 12));
            return cipher.doFinal(stored, 12, stored.length - 12);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a stored TOTP secret cannot be decrypted with " + TOTP_KEY_FILE
                    + " (was the data dir's key replaced?)", e);
        }
    }

    /** 32 random bytes in an owner-only file, made on first use and read on every later start. */
    private static byte[] ownerOnlyKey(Path file) {
        try {
            if (!Files.exists(file)) {
                byte[] key = new byte[32];
                RANDOM.nextBytes(key);
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")));
                    Files.write(file, key);
                } catch (FileAlreadyExistsException raced) {
                    // another start made it first: read theirs
                }
            }
            byte[] key = Files.readAllBytes(file);
            if (key.length != 32) {
                throw new IllegalStateException(file + " must hold 32 bytes, holds " + key.length);
            }
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }
}
