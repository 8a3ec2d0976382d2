package dev.agegate.filter.container;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** The site's content: says which page it is, so tests see whether it was served. */
public class ContentServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;
  public static final String MARK = "PROTECTED-CONTENT";

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    resp.setContentType("text/plain;charset=UTF-8");
    resp.getWriter().write(MARK + " " + req.getRequestURI() + " servletPath=" + req.getServletPath() + " pathInfo=" + req.getPathInfo());
  }
}
