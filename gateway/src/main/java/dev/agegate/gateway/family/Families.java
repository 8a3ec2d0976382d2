package dev.agegate.gateway.family;

import dev.agegate.gateway.config.Site;
import dev.agegate.gateway.store.Check;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The presentation families this gateway has (agegate-zk always, mso_mdoc when {@code
 * agegate.mdoc} is on), and for each site the ones it accepts. Immutable.
 */
public final class Families {
  private final Map<String, PresentationFamily> byId = new LinkedHashMap<>();

  /** @throws IllegalArgumentException when two families share an id */
  public Families(List<PresentationFamily> families) {
    for (PresentationFamily f : families) {
      if (byId.putIfAbsent(f.id(), f) != null) {
        throw new IllegalArgumentException("two presentation families named " + f.id());
      }
    }
  }

  /**
   * @throws IllegalStateException naming the site and the family when a site accepts a family
   *     this gateway does not have (the start fails: a site would otherwise be asked for nothing)
   */
  public void requireEvery(java.util.Collection<Site> sites) {
    for (Site site : sites) {
      for (String id : site.families()) {
        if (!byId.containsKey(id)) {
          throw new IllegalStateException("site '" + site.id() + "' accepts the presentation family '" + id
              + "', which this gateway does not have (it has " + String.join(", ", byId.keySet()) + ")");
        }
      }
    }
  }

  /** Every family of this gateway. */
  public java.util.Collection<PresentationFamily> all() {
    return java.util.Collections.unmodifiableCollection(byId.values());
  }

  /** The family named {@code id}, if this gateway has it. */
  public Optional<PresentationFamily> byId(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  /**
   * The families {@code site} accepts that this gateway has, in the site's order; for a check
   * whose site is no longer configured (null), agegate-zk alone, as before families existed.
   */
  public List<PresentationFamily> of(Site site) {
    List<PresentationFamily> out = new ArrayList<>();
    for (String id : site == null ? List.of(Site.AGEGATE_ZK) : site.families()) {
      byId(id).ifPresent(out::add);
    }
    return out;
  }

  /** Whether some family {@code site} accepts can be asked for a minimum age of {@code minAge} ({@link PresentationFamily#asks}). */
  public boolean askable(Site site, int minAge) {
    return of(site).stream().anyMatch(f -> f.asks(minAge));
  }

  /** The family of this gateway whose credential query {@code queryId} names, if any. */
  public Optional<PresentationFamily> answering(String queryId) {
    return byId.values().stream().filter(f -> f.answers(queryId)).findFirst();
  }

  /** What a request over {@code transport} asks for {@code c} of {@code site}: every family of the site with a query for it. */
  public Offer offer(Check c, Site site, Transport transport) {
    List<PresentationFamily> offered = new ArrayList<>();
    List<Map<String, Object>> queries = new ArrayList<>();
    for (PresentationFamily f : of(site)) {
      List<Map<String, Object>> q = f.credentialQueries(c, transport);
      if (!q.isEmpty()) {
        offered.add(f);
        queries.addAll(q);
      }
    }
    return new Offer(offered, queries);
  }
}
