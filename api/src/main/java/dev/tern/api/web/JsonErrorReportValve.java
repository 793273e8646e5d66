package dev.tern.api.web;

import java.io.IOException;
import java.io.Writer;
import java.util.Locale;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.http.HttpStatus;

/**
 * Errors Tomcat answers itself, before Spring sees the request (a request line or header that is too long, a
 * malformed URL), in NetBird's JSON error shape instead of Tomcat's HTML page. Public with a no-argument
 * constructor because Tomcat instantiates it by class name.
 */
public class JsonErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        HttpStatus known = HttpStatus.resolve(status);
        String message = known == null ? "request failed" : known.getReasonPhrase().toLowerCase(Locale.ROOT);
        try {
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write("{\"message\":\"" + message + "\",\"code\":" + status + "}");
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // The client is gone or the response cannot take a body any more; nothing useful left to send.
        }
    }
}
