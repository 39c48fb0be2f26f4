"""Report wording in Spanish and English."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "es": {
        "title": "Informe de reutilización y resolución", "generated": "Generado", "filters": "Filtros",
        "overall": "Resumen", "runs": "Casos (ejecuciones)", "fcr": "Resolución en el primer contacto (FCR)",
        "csat": "Satisfacción tras el contacto (CSAT)", "article_rating_csat": "Valoración de artículos (4-5)",
        "median_resolution": "Tiempo de resolución (mediana)", "p90_resolution": "Tiempo de resolución (p90)",
        "median_response": "Tiempo de respuesta (mediana)", "link_rate": "Tasa de enlace (KCS)",
        "reuse_rate": "Tasa de reutilización", "self_service": "Éxito del autoservicio", "retention": "Retención",
        "escalation_rate": "Tasa de escalado", "resolution_rate": "Tasa de resolución",
        "abandonment_rate": "Tasa de abandono", "searches": "Búsquedas", "zero_results": "Búsquedas sin resultado",
        "trends": "Tendencia semanal", "week": "Semana", "articles": "Artículos", "article": "Artículo",
        "views": "Vistas", "yes": "Sí", "no": "No", "helpfulness": "Utilidad",
        "lower_bound": "Límite inferior (Wilson)",
        "kcs_links": "Enlaces KCS", "run_uses": "Usos en casos", "referenced_by": "Protocolos que lo enlazan",
        "reuse": "Reutilización", "reasons": "Motivos del «No»", "comments": "Comentarios", "protocols": "Protocolos",
        "protocol": "Protocolo", "resolved": "Resueltos", "escalated": "Escalados", "abandoned": "Abandonados",
        "funnel": "Embudo por paso", "step": "Paso", "reached": "Llegaron", "ended_here": "Terminaron aquí",
        "abandoned_here": "Abandonaron aquí", "median_seconds": "Segundos (mediana)",
        "resolving_options": "Respuestas que resuelven", "answer": "Respuesta", "cause": "Causa",
        "health": "Salud del contenido", "fix_next": "Qué arreglar primero", "why": "Por qué", "kind": "Tipo",
        "overdue": "Revisiones vencidas", "owner": "Responsable", "due": "Vencía", "days_overdue": "Días de retraso",
        "never_viewed": "Nunca vistos", "high_no": "Muchos «No»", "stalled": "Protocolos que se atascan",
        "query": "Búsqueda", "count": "Veces", "csat_by": "CSAT por", "channel": "canal",
        "technician": "técnico", "protocol_id": "protocolo", "answers": "Respuestas", "mean": "Media",
        "none": "Sin datos", "table": "Tabla", "value": "Valor", "metric": "Indicador",
        "outdated": "Desactualizado", "unclear": "No se entiende", "did_not_work": "No funcionó",
        "missing_info": "Falta información", "other": "Otro", "helpful": "¿Útil?",
    },
    "en": {
        "title": "Reuse and resolution report", "generated": "Generated", "filters": "Filters",
        "overall": "Overview", "runs": "Cases (runs)", "fcr": "First-contact resolution (FCR)",
        "csat": "Post-contact satisfaction (CSAT)", "article_rating_csat": "Article ratings (4-5)",
        "median_resolution": "Resolution time (median)", "p90_resolution": "Resolution time (p90)",
        "median_response": "Response time (median)", "link_rate": "Link rate (KCS)",
        "reuse_rate": "Reuse rate", "self_service": "Self-service success", "retention": "Retention",
        "escalation_rate": "Escalation rate", "resolution_rate": "Resolution rate",
        "abandonment_rate": "Abandonment rate", "searches": "Searches", "zero_results": "Zero-result searches",
        "trends": "Weekly trend", "week": "Week", "articles": "Articles", "article": "Article",
        "views": "Views", "yes": "Yes", "no": "No", "helpfulness": "Helpfulness", "lower_bound": "Lower bound (Wilson)",
        "kcs_links": "KCS links", "run_uses": "Used in cases", "referenced_by": "Protocols linking it",
        "reuse": "Reuse", "reasons": "Reasons for “No”", "comments": "Comments", "protocols": "Protocols",
        "protocol": "Protocol", "resolved": "Resolved", "escalated": "Escalated", "abandoned": "Abandoned",
        "funnel": "Step funnel", "step": "Step", "reached": "Reached", "ended_here": "Ended here",
        "abandoned_here": "Abandoned here", "median_seconds": "Seconds (median)",
        "resolving_options": "Answers that resolve", "answer": "Answer", "cause": "Cause",
        "health": "Content health", "fix_next": "Fix next", "why": "Why", "kind": "Kind",
        "overdue": "Overdue reviews", "owner": "Owner", "due": "Due", "days_overdue": "Days overdue",
        "never_viewed": "Never viewed", "high_no": "High “No” rate", "stalled": "Protocols where runs stall",
        "query": "Query", "count": "Times", "csat_by": "CSAT by", "channel": "channel",
        "technician": "technician", "protocol_id": "protocol", "answers": "Answers", "mean": "Mean",
        "none": "No data", "table": "Table", "value": "Value", "metric": "Metric",
        "outdated": "Out of date", "unclear": "Unclear", "did_not_work": "Did not work",
        "missing_info": "Missing information", "other": "Other", "helpful": "Helpful?",
    },
}


def labels(lang: str) -> dict[str, str]:
    return LABELS.get(lang, LABELS["es"])
