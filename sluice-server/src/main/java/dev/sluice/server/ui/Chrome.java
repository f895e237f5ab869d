package dev.sluice.server.ui;

import static java.util.Objects.requireNonNull;

/**
 * What every page's frame shows: the title, the menu entry that is open, who is signed in and the
 * development-mode banner; the CSRF token that htmx repeats on every state-changing request.
 *
 * @param nav the menu entry that is open (graph, runs, search, dashboards, audit, access)
 * @param principal who is signed in, or null on the sign-in page
 * @param csrfToken the session's CSRF token, or "" without a session (development mode)
 */
public record Chrome(
    String title,
    String nav,
    String project,
    String principal,
    boolean admin,
    boolean dev,
    String csrfToken) {
  public Chrome {
    requireNonNull(title, "title is null");
    requireNonNull(nav, "nav is null");
    requireNonNull(project, "project is null");
    requireNonNull(csrfToken, "csrfToken is null");
  }

  /** The same frame with another title and menu entry. */
  public Chrome titled(String newTitle, String newNav) {
    return new Chrome(newTitle, newNav, project, principal, admin, dev, csrfToken);
  }

  /** The htmx attribute value that adds the CSRF header to every request of the page. */
  public String htmxHeaders() {
    return "{\"X-CSRF-Token\": \"" + csrfToken + "\"}";
  }
}
