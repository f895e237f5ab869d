package dev.sluice.core.query;

import dev.sluice.api.engine.EngineSession;
import dev.sluice.governance.MaskExpressions;
import dev.sluice.governance.TokenKey;
import dev.sluice.governance.Tokens;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The keyed functions of masks ({@code hash}, {@code tokenize}) in an engine session: registered on
 * first use under a name random per key and process, so that no SQL text, log or error shows the
 * key. Every place that masks values (the governed read path, the samples of failing rows a check
 * keeps) takes them from here.
 */
public final class MaskFunctions {
  private static final Map<TokenKey, String> FUNCTION_IDS = new ConcurrentHashMap<>();
  private static final SecureRandom RANDOM = new SecureRandom();

  private MaskFunctions() {}

  /** The keyed functions of masks, registered in {@code session} as a mask needs them. */
  public static MaskExpressions.KeyedFunctions in(EngineSession session) {
    return new MaskExpressions.KeyedFunctions() {
      @Override
      public String hash(TokenKey key) {
        String name = "sluice_hash_" + id(key);
        session.registerTextFunction(name, Tokens.hash(key));
        return name;
      }

      @Override
      public String token(TokenKey key) {
        String name = "sluice_token_" + id(key);
        session.registerTextFunction(name, Tokens.token(key));
        return name;
      }

      @Override
      public String tokenNumber(TokenKey key) {
        String name = "sluice_token_number_" + id(key);
        session.registerNumberFunction(name, Tokens.tokenNumber(key));
        return name;
      }
    };
  }

  /** A random name part per key for this process: function names say nothing of the key. */
  private static String id(TokenKey key) {
    return FUNCTION_IDS.computeIfAbsent(
        key,
        unused -> {
          byte[] bytes = new byte[8];
          RANDOM.nextBytes(bytes);
          return HexFormat.of().formatHex(bytes);
        });
  }
}
