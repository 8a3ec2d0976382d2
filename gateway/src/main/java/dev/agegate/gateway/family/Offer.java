package dev.agegate.gateway.family;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a request asks of a wallet for one check over one transport: the families offered (those
 * of the site with at least one credential query for it) and their queries, in request order.
 */
public record Offer(List<PresentationFamily> families, List<Map<String, Object>> queries) {
  public Offer {
    families = List.copyOf(families);
    queries = List.copyOf(queries);
  }

  /** Whether nothing is asked (the transport is not offered for the check). */
  public boolean isEmpty() {
    return queries.isEmpty();
  }

  /** Whether the answer must come encrypted: some offered family requires it. */
  public boolean encrypted() {
    return families.stream().anyMatch(PresentationFamily::encryptedResponse);
  }

  /** {@code client_metadata.vp_formats_supported}: the offered families' formats. */
  public Map<String, Object> vpFormats() {
    Map<String, Object> formats = new LinkedHashMap<>();
    families.forEach(f -> formats.putAll(f.vpFormats()));
    return formats;
  }

  /** The credential query ids, as the request names them. */
  public List<String> queryIds() {
    return queries.stream().map(q -> (String) q.get("id")).toList();
  }

  /** Whether {@code family} is offered. */
  public boolean offers(PresentationFamily family) {
    return families.contains(family);
  }
}
