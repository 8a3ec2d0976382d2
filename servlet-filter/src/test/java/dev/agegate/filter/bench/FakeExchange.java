package dev.agegate.filter.bench;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.lang.reflect.Proxy;

/**
 * Allocation-light request and response for benchmarks: direct method calls instead of
 * mocks, so the figures are the filter's own cost. Anything the filter is not expected to
 * call fails loudly through the wrapped proxy.
 */
final class FakeExchange {

  private FakeExchange() {
  }

  private static <T> T unsupported(Class<T> type) {
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> {
      throw new IllegalStateException("benchmark request does not support " + m.getName());
    }));
  }

  /** A request; mutable fields so one instance serves every invocation. */
  static final class Request extends HttpServletRequestWrapper {
    String method = "GET";
    String path = "/";
    String accept = "text/html";
    Cookie[] cookies;
    String token;
    String returnPath;
    Object attribute;

    Request() {
      super(unsupported(HttpServletRequest.class));
    }

    @Override
    public String getMethod() {
      return method;
    }

    @Override
    public String getServletPath() {
      return path;
    }

    @Override
    public String getPathInfo() {
      return null;
    }

    @Override
    public String getContextPath() {
      return "";
    }

    @Override
    public String getRequestURI() {
      return path;
    }

    @Override
    public String getQueryString() {
      return null;
    }

    @Override
    public String getHeader(String name) {
      return "Accept".equalsIgnoreCase(name) ? accept : null;
    }

    @Override
    public Cookie[] getCookies() {
      return cookies;
    }

    @Override
    public void setAttribute(String name, Object value) {
      attribute = value;
    }

    @Override
    public String getContentType() {
      return "application/x-www-form-urlencoded";
    }

    @Override
    public String[] getParameterValues(String name) {
      return switch (name) {
        case "token" -> token == null ? null : new String[] {token};
        case "return" -> returnPath == null ? null : new String[] {returnPath};
        default -> null;
      };
    }
  }

  /** A response that keeps only the status, for a sanity check after the run. */
  static final class Response extends HttpServletResponseWrapper {
    int status = 200;

    Response() {
      super(unsupported(HttpServletResponse.class));
    }

    @Override
    public void setStatus(int sc) {
      status = sc;
    }

    @Override
    public void setHeader(String name, String value) {
    }

    @Override
    public void addHeader(String name, String value) {
    }

    @Override
    public boolean isCommitted() {
      return false;
    }
  }
}
