package org.sipedge.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The context-params of the WAR's {@code WEB-INF/sip.xml}: the deployment's defaults. */
public final class WarDescriptor {
    private WarDescriptor() {
    }

    public static Map<String, String> contextParams(Path sipXml) {
        if (!Files.isRegularFile(sipXml)) {
            throw new IllegalStateException("no deployment descriptor at " + sipXml + " (build the WAR first)");
        }
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(false);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Document doc;
            try (var in = Files.newInputStream(sipXml)) {
                doc = f.newDocumentBuilder().parse(in);
            }
            Map<String, String> params = new LinkedHashMap<>();
            NodeList nodes = doc.getElementsByTagName("context-param");
            for (int i = 0; i < nodes.getLength(); i++) {
                Element e = (Element) nodes.item(i);
                String name = text(e, "param-name");
                String value = text(e, "param-value");
                if (name != null) {
                    params.put(name, value == null ? "" : value);
                }
            }
            return params;
        } catch (IOException | javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException e) {
            throw new IllegalStateException("cannot read " + sipXml + ": " + e.getMessage(), e);
        }
    }

    private static String text(Element parent, String tag) {
        NodeList l = parent.getElementsByTagName(tag);
        return l.getLength() == 0 ? null : l.item(0).getTextContent().trim();
    }
}
