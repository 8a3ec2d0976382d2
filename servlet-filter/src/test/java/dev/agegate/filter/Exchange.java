package dev.agegate.filter;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One request through the filter with Mockito's request, response and chain: the response
 * mock records status, headers and body so tests can assert them.
 */
final class Exchange {

  final HttpServletRequest req = mock(HttpServletRequest.class);
  final HttpServletResponse resp = mock(HttpServletResponse.class);
  final FilterChain chain = mock(FilterChain.class);
  private final List<Cookie> cookies = new ArrayList<>();
  private final Map<String, List<String>> headers = new LinkedHashMap<>();
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  private int status = 200;

  private Exchange(String method, String path, String query) {
    when(req.getMethod()).thenReturn(method);
    when(req.getServletPath()).thenReturn(path);
    when(req.getContextPath()).thenReturn("");
    when(req.getRequestURI()).thenReturn(path);
    when(req.getQueryString()).thenReturn(query);
    when(req.getCookies()).thenAnswer(i -> cookies.isEmpty() ? null : cookies.toArray(Cookie[]::new));
    doAnswer(i -> status = i.getArgument(0)).when(resp).setStatus(anyInt());
    doAnswer(i -> headers.put(i.<String>getArgument(0).toLowerCase(), new ArrayList<>(List.of(i.<String>getArgument(1)))))
        .when(resp).setHeader(anyString(), anyString());
    doAnswer(i -> headers.computeIfAbsent(i.<String>getArgument(0).toLowerCase(), k -> new ArrayList<>())
        .add(i.getArgument(1))).when(resp).addHeader(anyString(), anyString());
    doAnswer(i -> headers.put("content-type", new ArrayList<>(List.of(i.<String>getArgument(0)))))
        .when(resp).setContentType(any());
    try {
      when(resp.getOutputStream()).thenReturn(new ServletOutputStream() {
        @Override
        public void write(int b) {
          body.write(b);
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
        }
      });
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Exchange get(String path) {
    return new Exchange("GET", path, null);
  }

  static Exchange get(String path, String query) {
    return new Exchange("GET", path, query);
  }

  static Exchange browser(String path) {
    return get(path).accept("text/html,application/xhtml+xml,*/*;q=0.8");
  }

  /** A browser's HEAD request for {@code path}. */
  static Exchange head(String path) {
    return new Exchange("HEAD", path, null).accept("text/html,application/xhtml+xml,*/*;q=0.8");
  }

  /** A urlencoded form POST to {@code path} with the given fields (null value: field absent). */
  static Exchange post(String path, String token, String returnPath) {
    Exchange e = new Exchange("POST", path, null).accept("text/html");
    when(e.req.getContentType()).thenReturn("application/x-www-form-urlencoded");
    when(e.req.getParameterValues("token")).thenReturn(token == null ? null : new String[] {token});
    when(e.req.getParameterValues("return")).thenReturn(returnPath == null ? null : new String[] {returnPath});
    return e;
  }

  Exchange accept(String accept) {
    when(req.getHeader("Accept")).thenReturn(accept);
    return this;
  }

  Exchange header(String name, String value) {
    when(req.getHeader(name)).thenReturn(value);
    return this;
  }

  Exchange cookie(String name, String value) {
    cookies.add(new Cookie(name, value));
    return this;
  }

  Exchange run(AgeGateFilter filter) throws Exception {
    filter.doFilter(req, resp, chain);
    return this;
  }

  int status() {
    return status;
  }

  String header(String name) {
    List<String> v = headers.get(name.toLowerCase());
    return v == null ? null : String.join("\n", v);
  }

  List<String> setCookies() {
    return headers.getOrDefault("set-cookie", List.of());
  }

  /** @return the Set-Cookie header for {@code name}, or null */
  String setCookie(String name) {
    return setCookies().stream().filter(c -> c.startsWith(name + "=")).findFirst().orElse(null);
  }

  /** @return the value a Set-Cookie gives {@code name}, or null */
  String cookieValue(String name) {
    String c = setCookie(name);
    return c == null ? null : c.substring(name.length() + 1, c.indexOf(';'));
  }

  String body() {
    return body.toString(StandardCharsets.UTF_8);
  }

  /** @return the value of {@code attribute} on the gate page's {@code <age-gate>} element */
  String gateAttribute(String attribute) {
    Matcher m = Pattern.compile("<age-gate [^>]*\\b" + attribute + "=\"([^\"]*)\"").matcher(body());
    return m.find() ? m.group(1) : null;
  }
}
